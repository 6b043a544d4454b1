#include "runtime/model/gguf_model.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <utility>

#include "runtime/model/gguf_vocabulary.hpp"

namespace lpu::model {
namespace {

// The metadata keys of an architecture all start with its name ("qwen2.block_count").
class ArchitectureKeys {
public:
    explicit ArchitectureKeys(const GgufFile& file) : file_(file) {
        const std::string name = file.get_string("general.architecture");
        if (name == "llama") {
            architecture_ = Architecture::Llama;
        } else if (name == "qwen2") {
            architecture_ = Architecture::Qwen2;
        } else {
            throw file.error("general.architecture is '" + name +
                             "'; supported: llama (Llama 1-3, Mistral-style files), qwen2 (Qwen2, Qwen2.5)");
        }
        prefix_ = name + ".";
    }
    Architecture architecture() const { return architecture_; }
    std::string key(const char* suffix) const { return prefix_ + suffix; }
    bool has(const char* suffix) const { return file_.has(key(suffix)); }
    int get_i32(const char* suffix) const { return file_.get_i32(key(suffix)); }
    int int_or(const char* suffix, int fallback) const { return has(suffix) ? get_i32(suffix) : fallback; }
    float float_or(const char* suffix, float fallback) const { return has(suffix) ? file_.get_f32(key(suffix)) : fallback; }

private:
    const GgufFile& file_;
    Architecture architecture_ = Architecture::Llama;
    std::string prefix_;
};

// vocab size: {arch}.vocab_size, else the vocabulary's length, else the rows of
// the token embedding.
int vocab_size_of(const GgufFile& file, const ArchitectureKeys& keys) {
    if (keys.has("vocab_size")) return keys.get_i32("vocab_size");
    if (file.has("tokenizer.ggml.tokens")) {
        const std::uint64_t tokens = file.array_length("tokenizer.ggml.tokens");
        if (tokens > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
            throw file.error("tokenizer.ggml.tokens has " + std::to_string(tokens) + " entries, too many");
        }
        return static_cast<int>(tokens);
    }
    const GgufTensor& embedding = file.tensor("token_embd.weight");
    if (embedding.dims.size() < 2 || embedding.dims[1] > std::numeric_limits<int>::max()) {
        throw file.error("cannot tell the vocabulary size: no " + keys.key("vocab_size") +
                         ", no tokenizer.ggml.tokens, and token_embd.weight has shape without a usable row count");
    }
    return static_cast<int>(embedding.dims[1]);
}

// RoPE scaling as llama.cpp reads it: a linear factor ({arch}.rope.scaling.factor,
// or the older rope.scale_linear) multiplies positions by 1 / factor unless the
// type says otherwise; YaRN and LongRoPE are other algorithms, refused by name.
float rope_freq_scale(const GgufFile& file, const ArchitectureKeys& keys) {
    const std::string type = keys.has("rope.scaling.type") ? file.get_string(keys.key("rope.scaling.type")) : "";
    if (!type.empty() && type != "none" && type != "linear") {
        throw file.error(keys.key("rope.scaling.type") + " is '" + type +
                         "'; supported: none, linear (and Llama 3.1's rope_freqs tensor)");
    }
    const float factor = keys.float_or("rope.scaling.factor", keys.float_or("rope.scale_linear", 0.0f));
    if (factor == 0.0f) return 1.0f;
    if (!std::isfinite(factor) || factor < 0.0f) {
        throw file.error(keys.key("rope.scaling.factor") + " is " + std::to_string(factor) + ", must be positive");
    }
    return 1.0f / factor;
}

ModelConfig read_config(const GgufFile& file) {
    const ArchitectureKeys keys(file);
    ModelConfig config;
    // A mixture of experts as llama.cpp writes Mixtral: {arch}.expert_count
    // experts per layer, expert_used_count of them per token (validate checks both).
    if (keys.has("expert_count") && file.get_u32(keys.key("expert_count")) > 0) {
        if (keys.architecture() != Architecture::Llama) {
            throw file.error(keys.key("expert_count") + ": mixtures of experts are read for the llama architecture only");
        }
        config.experts = static_cast<int>(std::min<std::uint32_t>(file.get_u32(keys.key("expert_count")), 1u << 20));
        if (!keys.has("expert_used_count")) throw file.error("missing " + keys.key("expert_used_count"));
        config.active_experts =
            static_cast<int>(std::min<std::uint32_t>(file.get_u32(keys.key("expert_used_count")), 1u << 20));
    }
    config.name =
        file.has("general.name") ? file.get_string("general.name") : std::filesystem::path(file.path()).stem().string();
    config.architecture = keys.architecture();
    config.dim = keys.get_i32("embedding_length");
    config.hidden_dim = keys.get_i32("feed_forward_length");
    config.n_layers = keys.get_i32("block_count");
    config.n_heads = keys.get_i32("attention.head_count");
    config.n_kv_heads = keys.int_or("attention.head_count_kv", config.n_heads);
    config.context_length = keys.get_i32("context_length");
    config.rms_norm_eps = keys.float_or("attention.layer_norm_rms_epsilon", config.rms_norm_eps);
    config.rope_theta = keys.float_or("rope.freq_base", config.rope_theta);
    // llama GGUF files hold q/k permuted for adjacent pairs (llama.cpp's "normal"
    // RoPE); qwen2 files keep Hugging Face's layout, rotated by halves ("neox").
    config.rope_pairing = config.architecture == Architecture::Qwen2 ? kernels::RopePairing::Halves
                                                                     : kernels::RopePairing::Adjacent;
    config.rope_freq_scale = rope_freq_scale(file, keys);
    // Llama 3.1's frequency factors belong to the llama architecture (llama.cpp's
    // qwen2 does not read them either); in a qwen2 file the tensor is refused as unused.
    config.rope_freq_factors =
        config.architecture == Architecture::Llama && file.find_tensor("rope_freqs.weight") != nullptr;
    config.qkv_bias = file.find_tensor("blk.0.attn_q.bias") != nullptr;
    if (config.architecture == Architecture::Qwen2 && !config.qkv_bias) {
        throw file.error("missing tensor 'blk.0.attn_q.bias': qwen2 models have q/k/v biases");
    }
    config.vocab_size = vocab_size_of(file, keys);
    config.tied_output = file.find_tensor("output.weight") == nullptr;
    try {
        validate(config);
    } catch (const Error& e) {
        throw file.error(e.what());
    }
    // We rotate every dimension of a head; partial RoPE is another architecture.
    if (keys.has("rope.dimension_count") && keys.get_i32("rope.dimension_count") != config.head_dim()) {
        throw file.error(keys.key("rope.dimension_count") + " is " + std::to_string(keys.get_i32("rope.dimension_count")) +
                         " but the head size is " + std::to_string(config.head_dim()) +
                         "; partial rotary embeddings are not supported");
    }
    return config;
}

// The view of tensor `name`, which must hold `rows` x `cols` values (GGUF:
// ne0 = cols, ne1 = rows, any further dims 1), or with `stacked` > 1 that many
// such matrices (ne2 = stacked; viewed as stacked * rows rows). Vectors
// (norms, biases) must be F32.
TensorView view(const GgufFile& file, const std::string& name, std::int64_t rows, std::int64_t cols,
                std::int64_t stacked = 1) {
    const GgufTensor& tensor = file.tensor(name);
    const bool is_vector = rows == 1 && stacked == 1;
    std::vector<std::int64_t> expected{cols};
    if (!is_vector) expected.push_back(rows);
    if (stacked > 1) expected.push_back(stacked);
    std::vector<std::int64_t> actual = tensor.dims;
    while (actual.size() > expected.size() && actual.back() == 1) actual.pop_back();
    if (actual != expected) {
        throw file.error("tensor '" + name + "' has shape " + dims_text(tensor.dims) + " (ne0 first), expected " +
                         dims_text(expected));
    }
    if (is_vector && tensor.dtype != kernels::DType::F32) {
        throw file.error("tensor '" + name + "' is " + kernels::dtype_name(tensor.dtype) +
                         "; vectors (norm weights, biases, rope_freqs) must be F32");
    }
    return TensorView{name, tensor.dtype, rows * stacked, cols, tensor.data};
}

ModelWeights read_weights(const GgufFile& file, const ModelConfig& config) {
    const std::int64_t dim = config.dim, hidden = config.hidden_dim, kv_dim = config.kv_dim(),
                       vocab = config.vocab_size;
    ModelWeights weights;
    weights.token_embedding = view(file, "token_embd.weight", vocab, dim);
    for (int l = 0; l < config.n_layers; ++l) {
        const std::string prefix = "blk." + std::to_string(l) + ".";
        LayerWeights layer;
        layer.attn_norm = view(file, prefix + "attn_norm.weight", 1, dim);
        layer.wq = view(file, prefix + "attn_q.weight", dim, dim);
        layer.wk = view(file, prefix + "attn_k.weight", kv_dim, dim);
        layer.wv = view(file, prefix + "attn_v.weight", kv_dim, dim);
        layer.wo = view(file, prefix + "attn_output.weight", dim, dim);
        layer.ffn_norm = view(file, prefix + "ffn_norm.weight", 1, dim);
        if (config.is_mixture_of_experts()) {
            const std::int64_t experts = config.experts;
            layer.router = view(file, prefix + "ffn_gate_inp.weight", experts, dim);
            layer.experts_gate = view(file, prefix + "ffn_gate_exps.weight", hidden, dim, experts);
            layer.experts_down = view(file, prefix + "ffn_down_exps.weight", dim, hidden, experts);
            layer.experts_up = view(file, prefix + "ffn_up_exps.weight", hidden, dim, experts);
        } else {
            layer.w_gate = view(file, prefix + "ffn_gate.weight", hidden, dim);
            layer.w_down = view(file, prefix + "ffn_down.weight", dim, hidden);
            layer.w_up = view(file, prefix + "ffn_up.weight", hidden, dim);
        }
        if (config.qkv_bias) {
            layer.bq = view(file, prefix + "attn_q.bias", 1, dim);
            layer.bk = view(file, prefix + "attn_k.bias", 1, kv_dim);
            layer.bv = view(file, prefix + "attn_v.bias", 1, kv_dim);
        }
        weights.layers.push_back(std::move(layer));
    }
    weights.final_norm = view(file, "output_norm.weight", 1, dim);
    weights.output = config.tied_output ? weights.token_embedding : view(file, "output.weight", vocab, dim);
    if (config.rope_freq_factors) weights.rope_freqs = view(file, "rope_freqs.weight", 1, config.head_dim() / 2);
    return weights;
}

// Every tensor of the file must be one the model uses: one that is not (an
// output-projection bias, say) would otherwise be silently ignored and the
// numbers would be wrong.
void require_all_tensors_used(const GgufFile& file, const ModelWeights& weights, const ModelConfig& config) {
    std::set<std::string, std::less<>> used;
    for (const TensorView* tensor : tensor_list(weights)) used.insert(tensor->name);
    for (const GgufTensor& tensor : file.tensors()) {
        if (!used.contains(tensor.name)) {
            throw file.error("tensor '" + tensor.name + "' is not part of a " + architecture_name(config.architecture) +
                             " model as lpu runs it; refusing rather than ignoring it");
        }
    }
}

class GgufModelFile final : public ModelFile {
public:
    explicit GgufModelFile(GgufFile file)
        : file_(std::move(file)),
          config_(read_config(file_)),
          weights_(read_weights(file_, config_)),
          tokenizer_(read_gguf_vocabulary(file_)) {
        require_all_tensors_used(file_, weights_, config_);
        config_.weight_dtype = weights_.layers.front().wq.dtype;
        config_.weight_type_overrides = weight_type_overrides(weights_, config_.weight_dtype);
        if (tokenizer_ && static_cast<int>(tokenizer_->pieces.size()) != config_.vocab_size) {
            throw file_.error("the vocabulary has " + std::to_string(tokenizer_->pieces.size()) +
                              " tokens but the model's vocab_size is " + std::to_string(config_.vocab_size));
        }
    }

    const ModelConfig& config() const override { return config_; }
    const ModelWeights& weights() const override { return weights_; }
    std::optional<TokenizerData> tokenizer() const override { return tokenizer_; }
    std::string format() const override { return "gguf"; }

private:
    GgufFile file_;  // owns the mapping the views point into
    ModelConfig config_;
    ModelWeights weights_;
    std::optional<TokenizerData> tokenizer_;
};

}  // namespace

std::unique_ptr<ModelFile> open_gguf_model(GgufFile file) { return std::make_unique<GgufModelFile>(std::move(file)); }

}  // namespace lpu::model
