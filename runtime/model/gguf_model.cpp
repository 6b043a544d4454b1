#include "runtime/model/gguf_model.hpp"

#include <filesystem>
#include <limits>
#include <utility>

#include "runtime/model/gguf_vocabulary.hpp"

namespace lpu::model {
namespace {

int int_or(const GgufFile& file, const char* key, int fallback) { return file.has(key) ? file.get_i32(key) : fallback; }

float float_or(const GgufFile& file, const char* key, float fallback) {
    return file.has(key) ? file.get_f32(key) : fallback;
}

// vocab size: llama.vocab_size, else the vocabulary's length, else the rows of
// the token embedding.
int vocab_size_of(const GgufFile& file) {
    if (file.has("llama.vocab_size")) return file.get_i32("llama.vocab_size");
    if (file.has("tokenizer.ggml.tokens")) {
        const std::uint64_t tokens = file.array_length("tokenizer.ggml.tokens");
        if (tokens > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
            throw file.error("tokenizer.ggml.tokens has " + std::to_string(tokens) + " entries, too many");
        }
        return static_cast<int>(tokens);
    }
    const GgufTensor& embedding = file.tensor("token_embd.weight");
    if (embedding.dims.size() < 2 || embedding.dims[1] > std::numeric_limits<int>::max()) {
        throw file.error(
            "cannot tell the vocabulary size: no llama.vocab_size, no tokenizer.ggml.tokens, and "
            "token_embd.weight has shape without a usable row count");
    }
    return static_cast<int>(embedding.dims[1]);
}

ModelConfig read_config(const GgufFile& file) {
    const std::string architecture = file.get_string("general.architecture");
    if (architecture != "llama") {
        throw file.error("general.architecture is '" + architecture + "'; only 'llama' models are supported");
    }
    if (file.has("llama.expert_count") && file.get_u32("llama.expert_count") > 0) {
        throw file.error("llama.expert_count is " + std::to_string(file.get_u32("llama.expert_count")) +
                         ": mixture-of-experts models are not supported");
    }
    ModelConfig config;
    config.name =
        file.has("general.name") ? file.get_string("general.name") : std::filesystem::path(file.path()).stem().string();
    config.dim = file.get_i32("llama.embedding_length");
    config.hidden_dim = file.get_i32("llama.feed_forward_length");
    config.n_layers = file.get_i32("llama.block_count");
    config.n_heads = file.get_i32("llama.attention.head_count");
    config.n_kv_heads = int_or(file, "llama.attention.head_count_kv", config.n_heads);
    config.context_length = file.get_i32("llama.context_length");
    config.rms_norm_eps = float_or(file, "llama.attention.layer_norm_rms_epsilon", config.rms_norm_eps);
    config.rope_theta = float_or(file, "llama.rope.freq_base", config.rope_theta);
    config.vocab_size = vocab_size_of(file);
    config.tied_output = file.find_tensor("output.weight") == nullptr;
    try {
        validate(config);
    } catch (const Error& e) {
        throw file.error(e.what());
    }
    // We rotate every dimension of a head; partial RoPE is another architecture.
    if (file.has("llama.rope.dimension_count") && file.get_i32("llama.rope.dimension_count") != config.head_dim()) {
        throw file.error("llama.rope.dimension_count is " + std::to_string(file.get_i32("llama.rope.dimension_count")) +
                         " but the head size is " + std::to_string(config.head_dim()) +
                         "; partial rotary embeddings are not supported");
    }
    return config;
}

// The view of tensor `name`, which must hold `rows` x `cols` values (GGUF:
// ne0 = cols, ne1 = rows, any further dims 1). Norm vectors must be F32.
TensorView view(const GgufFile& file, const std::string& name, std::int64_t rows, std::int64_t cols) {
    const GgufTensor& tensor = file.tensor(name);
    const bool is_vector = rows == 1;
    std::vector<std::int64_t> expected{cols};
    if (!is_vector) expected.push_back(rows);
    std::vector<std::int64_t> actual = tensor.dims;
    while (actual.size() > expected.size() && actual.back() == 1) actual.pop_back();
    if (actual != expected) {
        throw file.error("tensor '" + name + "' has shape " + dims_text(tensor.dims) + " (ne0 first), expected " +
                         dims_text(expected));
    }
    if (is_vector && tensor.dtype != kernels::DType::F32) {
        throw file.error("tensor '" + name + "' is " + kernels::dtype_name(tensor.dtype) +
                         "; norm weights must be F32");
    }
    return TensorView{name, tensor.dtype, rows, cols, tensor.data};
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
        layer.w_gate = view(file, prefix + "ffn_gate.weight", hidden, dim);
        layer.w_down = view(file, prefix + "ffn_down.weight", dim, hidden);
        layer.w_up = view(file, prefix + "ffn_up.weight", hidden, dim);
        weights.layers.push_back(std::move(layer));
    }
    weights.final_norm = view(file, "output_norm.weight", 1, dim);
    weights.output = config.tied_output ? weights.token_embedding : view(file, "output.weight", vocab, dim);
    return weights;
}

class GgufModelFile final : public ModelFile {
public:
    explicit GgufModelFile(GgufFile file)
        : file_(std::move(file)),
          config_(read_config(file_)),
          weights_(read_weights(file_, config_)),
          tokenizer_(read_gguf_vocabulary(file_)) {
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
