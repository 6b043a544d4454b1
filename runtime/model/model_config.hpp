#pragma once
// The shape of a Llama-family model, whichever file it came from.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernels/dtype.hpp"
#include "runtime/kernels/rope.hpp"

namespace lpu::model {

// general.architecture. Both are the Llama block (RMSNorm, RoPE, GQA attention,
// SwiGLU); Qwen2 adds biases to the q/k/v projections and rotates the halves of
// each head (GPT-NeoX RoPE) where llama GGUF files rotate adjacent pairs.
enum class Architecture { Llama, Qwen2 };
const char* architecture_name(Architecture architecture);  // "llama", "qwen2"
// The weight matrices of a Llama model, by role.
enum class WeightTensor { token_embedding, wq, wk, wv, wo, w_gate, w_up, w_down, output };

// A matrix whose type differs from the model's weight_dtype (e.g. a Q4_K_M file
// keeps some attn_v, ffn_down and the output at Q6_K). layer is -1 for the
// token embedding and the output.
struct WeightTypeOverride {
    WeightTensor tensor = WeightTensor::wq;
    int layer = -1;
    kernels::DType dtype = kernels::DType::F32;

    bool operator==(const WeightTypeOverride&) const = default;
};

struct ModelConfig {
    std::string name;              // from the file (general.name) or its file name
    int dim = 0;                   // embedding width
    int hidden_dim = 0;            // SwiGLU inner width
    int n_layers = 0;
    int n_heads = 0;               // query heads
    int n_kv_heads = 0;            // key/value heads (GQA when fewer than n_heads)
    int vocab_size = 0;
    int context_length = 0;        // positions the model supports
    float rms_norm_eps = 1e-5f;
    float rope_theta = 10000.0f;
    Architecture architecture = Architecture::Llama;
    kernels::RopePairing rope_pairing = kernels::RopePairing::Adjacent;
    // Linear RoPE scaling: positions are multiplied by this (1 / rope.scaling.factor).
    float rope_freq_scale = 1.0f;
    // A rope_freqs tensor (head_dim / 2 floats, Llama 3.1's long-context
    // scaling) divides each pair's frequency.
    bool rope_freq_factors = false;
    bool qkv_bias = false;         // the q, k and v projections add a bias (Qwen2)
    bool tied_output = false;      // true when the LM head reuses the token embedding
    kernels::DType weight_dtype = kernels::DType::F32;  // dtype of the large matrices (of attn_q in a mixed file)
    std::vector<WeightTypeOverride> weight_type_overrides;  // the matrices of another type; empty: all weight_dtype
    // Mixture of experts (Mixtral): each layer's feed-forward block is `experts`
    // SwiGLU FFNs of hidden_dim units each, of which a router picks
    // `active_experts` per token. 1 and 1 is a dense model.
    int experts = 1;
    int active_experts = 1;

    int head_dim() const { return dim / n_heads; }
    int kv_dim() const { return head_dim() * n_kv_heads; }
    bool is_mixture_of_experts() const { return experts > 1; }
    // RoPE that is not plain adjacent-pair rotation at rope_theta.
    bool has_rope_scaling() const { return rope_freq_scale != 1.0f || rope_freq_factors; }
    // The type of one matrix: its override, else weight_dtype. A tied output is
    // the token embedding, so it has the embedding's type.
    kernels::DType dtype_of(WeightTensor tensor, int layer = -1) const;
};

// "Q4_K", or for a file of mixed types "Q4_K (+9 matrices of other types)".
std::string weight_types_text(const ModelConfig& config);

// Throws lpu::Error naming the first field that is out of range or inconsistent
// (non-positive sizes, dim not divisible by heads, heads not divisible by KV heads,
// odd head size for RoPE, absurdly large values, more active experts than experts,
// a weight type override for a layer the model does not have).
void validate(const ModelConfig& config);

}  // namespace lpu::model
