#pragma once
// Views of a model's tensors inside a mapped file. Matrices are row-major with
// one row per output feature: a [rows x cols] matrix W maps x (cols) to W x (rows),
// as both GGUF (ne0 = cols) and llama2.c store them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernels/dtype.hpp"
#include "runtime/model/model_config.hpp"

namespace lpu::model {

struct TensorView {
    std::string name;
    kernels::DType dtype = kernels::DType::F32;
    std::int64_t rows = 1;         // 1 for vectors
    std::int64_t cols = 0;
    const std::byte* data = nullptr;

    bool present() const { return data != nullptr; }  // optional tensors (biases) may be absent
    std::int64_t elements() const { return rows * cols; }
    std::size_t size_bytes() const { return kernels::dtype_bytes(dtype, static_cast<std::size_t>(elements())); }
};

struct LayerWeights {
    TensorView attn_norm;          // [dim]
    TensorView wq;                 // [dim x dim]
    TensorView wk;                 // [kv_dim x dim]
    TensorView wv;                 // [kv_dim x dim]
    TensorView wo;                 // [dim x dim]
    TensorView ffn_norm;           // [dim]
    TensorView w_gate;             // [hidden x dim]   (llama2.c w1, GGUF ffn_gate)
    TensorView w_down;             // [dim x hidden]   (llama2.c w2, GGUF ffn_down)
    TensorView w_up;               // [hidden x dim]   (llama2.c w3, GGUF ffn_up)
    TensorView bq, bk, bv;         // [dim], [kv_dim], [kv_dim] biases of wq/wk/wv (Qwen2); absent otherwise
    // A mixture of experts (Mixtral) has these in place of w_gate/w_down/w_up:
    // the router, and each expert's matrices stacked (GGUF ffn_*_exps, ne2 the
    // expert), expert e's rows following expert e-1's. Absent otherwise.
    TensorView router;             // [experts x dim] (GGUF ffn_gate_inp)
    TensorView experts_gate;       // [experts * hidden x dim]
    TensorView experts_down;       // [experts * dim x hidden]
    TensorView experts_up;         // [experts * hidden x dim]
};

// Expert `expert`'s matrix of a stacked tensor of `experts` (rows / experts rows each).
TensorView expert_matrix(const TensorView& stacked, int experts, int expert);

struct ModelWeights {
    TensorView token_embedding;    // [vocab x dim]
    std::vector<LayerWeights> layers;
    TensorView final_norm;         // [dim]
    TensorView output;             // [vocab x dim]; the embedding itself when tied
    TensorView rope_freqs;         // [head_dim / 2] RoPE frequency divisors (Llama 3.1); absent otherwise
};

// Every distinct tensor present, in a fixed order: embedding, each layer's
// tensors in LayerWeights order, final norm, then the LM head unless it is the
// embedding itself (tied), then rope_freqs. For listings such as `lpu model info`.
std::vector<const TensorView*> tensor_list(const ModelWeights& weights);

// The matrices whose type is not `base`, for ModelConfig::weight_type_overrides.
// A tied output (the embedding itself) is not listed twice.
std::vector<WeightTypeOverride> weight_type_overrides(const ModelWeights& weights, kernels::DType base);

}  // namespace lpu::model
