#include "runtime/model/llama2c_model.hpp"

#include <filesystem>
#include <limits>
#include <utility>

#include "base/error.hpp"

namespace lpu::model {
namespace {

constexpr std::size_t kHeaderBytes = 7 * 4;
constexpr std::size_t kFloatBytes = 4;
// llama2.c's export.py "version 1" and later start with this magic ("ak42").
constexpr std::uint32_t kLaterVersionMagic = 0x616b3432;

struct Header {
    ModelConfig config;
    bool shared_classifier = true;
};

Header read_header(const MappedFile& file, const std::string& context) {
    ByteReader reader(file.bytes(), context);
    if (file.size_bytes() >= 4 && ByteReader(file.bytes(), context).u32("magic") == kLaterVersionMagic) {
        reader.fail(0,
                    "this is a llama2.c checkpoint of version 1 or later; only version 0 (legacy_export) is "
                    "supported");
    }
    Header header;
    ModelConfig& config = header.config;
    config.name = std::filesystem::path(file.path()).stem().string();
    config.dim = reader.i32("dim");
    config.hidden_dim = reader.i32("hidden_dim");
    config.n_layers = reader.i32("n_layers");
    config.n_heads = reader.i32("n_heads");
    config.n_kv_heads = reader.i32("n_kv_heads");
    const std::int32_t vocab = reader.i32("vocab_size");
    config.context_length = reader.i32("seq_len");
    // A negative vocab_size announces a separate classifier at the end.
    header.shared_classifier = vocab > 0;
    config.vocab_size = vocab == std::numeric_limits<std::int32_t>::min() ? 0 : (vocab < 0 ? -vocab : vocab);
    config.tied_output = header.shared_classifier;
    config.weight_dtype = kernels::DType::F32;
    try {
        validate(config);
    } catch (const Error& e) {
        throw Error(context + ": " + e.what());
    }
    return header;
}

// Hands out consecutive F32 arrays of the checkpoint.
class Cursor {
public:
    explicit Cursor(const std::byte* start) : next_(start) {}
    const std::byte* take(std::int64_t floats) {
        const std::byte* start = next_;
        next_ += static_cast<std::size_t>(floats) * kFloatBytes;
        return start;
    }

private:
    const std::byte* next_;
};

TensorView f32_view(std::string name, std::int64_t rows, std::int64_t cols, const std::byte* data) {
    return TensorView{std::move(name), kernels::DType::F32, rows, cols, data};
}

class Llama2cModelFile final : public ModelFile {
public:
    explicit Llama2cModelFile(MappedFile file) : file_(std::move(file)) {
        const std::string context = "llama2.c checkpoint '" + file_.path() + "'";
        const Header header = read_header(file_, context);
        config_ = header.config;
        const std::int64_t dim = config_.dim, hidden = config_.hidden_dim, kv_dim = config_.kv_dim(),
                           vocab = config_.vocab_size, layers = config_.n_layers,
                           rope_floats = std::int64_t{config_.context_length} * config_.head_dim() / 2;
        // validate() bounds every factor, so these products fit easily in 64 bits.
        const std::int64_t floats = vocab * dim +
                                    layers * (2 * dim + 2 * dim * dim + 2 * kv_dim * dim + 3 * hidden * dim) + dim +
                                    2 * rope_floats + (header.shared_classifier ? 0 : vocab * dim);
        const std::uint64_t expected_bytes = kHeaderBytes + static_cast<std::uint64_t>(floats) * kFloatBytes;
        if (file_.size_bytes() != expected_bytes) {
            const bool short_file = file_.size_bytes() < expected_bytes;
            throw Error(
                context + ": the header (dim " + std::to_string(dim) + ", hidden_dim " + std::to_string(hidden) +
                ", n_layers " + std::to_string(layers) + ", n_heads " + std::to_string(config_.n_heads) +
                ", n_kv_heads " + std::to_string(config_.n_kv_heads) + ", vocab_size " + std::to_string(vocab) +
                ", seq_len " + std::to_string(config_.context_length) + ") implies " + std::to_string(expected_bytes) +
                " bytes but the file has " + std::to_string(file_.size_bytes()) +
                (short_file ? " (truncated)" : " (extra bytes: not a version 0 checkpoint, or a wrong header)"));
        }
        Cursor cursor(file_.data() + kHeaderBytes);
        weights_.token_embedding = f32_view("token_embd.weight", vocab, dim, cursor.take(vocab * dim));
        weights_.layers.resize(static_cast<std::size_t>(layers));
        // Each tensor is stored stacked over layers: layer l's slice follows layer l-1's.
        auto stacked = [&](TensorView LayerWeights::*member, const char* suffix, std::int64_t rows, std::int64_t cols) {
            const std::byte* base = cursor.take(layers * rows * cols);
            for (std::int64_t l = 0; l < layers; ++l) {
                weights_.layers[static_cast<std::size_t>(l)].*member =
                    f32_view("blk." + std::to_string(l) + "." + suffix, rows, cols,
                             base + static_cast<std::size_t>(l * rows * cols) * kFloatBytes);
            }
        };
        stacked(&LayerWeights::attn_norm, "attn_norm.weight", 1, dim);
        stacked(&LayerWeights::wq, "attn_q.weight", dim, dim);
        stacked(&LayerWeights::wk, "attn_k.weight", kv_dim, dim);
        stacked(&LayerWeights::wv, "attn_v.weight", kv_dim, dim);
        stacked(&LayerWeights::wo, "attn_output.weight", dim, dim);
        stacked(&LayerWeights::ffn_norm, "ffn_norm.weight", 1, dim);
        stacked(&LayerWeights::w_gate, "ffn_gate.weight", hidden, dim);
        stacked(&LayerWeights::w_down, "ffn_down.weight", dim, hidden);
        stacked(&LayerWeights::w_up, "ffn_up.weight", hidden, dim);
        weights_.final_norm = f32_view("output_norm.weight", 1, dim, cursor.take(dim));
        cursor.take(2 * rope_floats);  // freq_cis_real, freq_cis_imag
        weights_.output = header.shared_classifier ? weights_.token_embedding
                                                   : f32_view("output.weight", vocab, dim, cursor.take(vocab * dim));
    }

    const ModelConfig& config() const override { return config_; }
    const ModelWeights& weights() const override { return weights_; }
    std::optional<TokenizerData> tokenizer() const override { return std::nullopt; }
    std::string format() const override { return "llama2c"; }

private:
    MappedFile file_;  // owns the mapping the views point into
    ModelConfig config_;
    ModelWeights weights_;
};

}  // namespace

std::unique_ptr<ModelFile> open_llama2c_model(MappedFile file) {
    return std::make_unique<Llama2cModelFile>(std::move(file));
}

}  // namespace lpu::model
