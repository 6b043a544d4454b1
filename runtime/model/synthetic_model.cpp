#include "runtime/model/synthetic_model.hpp"

#include <cmath>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/printf_text.hpp"
#include "runtime/kernels/quantize.hpp"
#include "runtime/model/byte_level.hpp"
#include "runtime/model/gguf_format.hpp"
#include "runtime/model/gguf_vocabulary.hpp"
#include "runtime/model/gguf_writer.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::model {
namespace {

using kernels::DType;

constexpr int kFirstByteToken = 3;
constexpr int kMinVocabSize = kFirstByteToken + 256;
constexpr std::string_view kSpacePiece = "\xE2\x96\x81";  // "▁"
// Letters in rough English frequency order, so the short strings come first.
constexpr std::string_view kLetters = "etaoinshrdlcumwfgypbvkjxqz";

// splitmix64: tiny, fast, and the same on every platform and standard library
// (std:: distributions are not).
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t state) : state_(state) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [-1, 1) on a grid of 2^-23: every step is exact in float.
    float next_signed_unit() {
        const float unit = static_cast<float>(next() >> 40) * 0x1p-24f;
        return 2.0f * unit - 1.0f;
    }

private:
    std::uint64_t state_;
};

// Each tensor draws from its own stream, keyed by the model seed and the tensor
// name, so its values do not depend on the dtype or on which tensors precede it.
SplitMix64 tensor_stream(std::uint64_t seed, const std::string& name) {
    std::uint64_t hash = 0xCBF29CE484222325ull;  // FNV-1a
    for (const char c : name) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001B3ull;
    }
    SplitMix64 mix(seed ^ hash);
    return SplitMix64(mix.next());
}

// Values are offset + spread * uniform[-1, 1).
struct ValueRange {
    float offset;
    float spread;
};

// Declares a [rows x cols] tensor (or `stacked` of them, ne2 = stacked, as a
// mixture of experts' weights) whose rows are generated, converted to `dtype`
// and written one at a time.
void add_random_tensor(GgufWriter& writer, const std::string& name, DType dtype, std::int64_t rows,
                       std::int64_t cols, ValueRange range, std::uint64_t seed, std::int64_t stacked = 1) {
    std::vector<std::int64_t> dims = rows == 1 ? std::vector<std::int64_t>{cols} : std::vector<std::int64_t>{cols, rows};
    if (stacked > 1) dims.push_back(stacked);
    writer.add_tensor(name, dtype, std::move(dims), [=](TensorSink& sink) {
        auto stream = tensor_stream(seed, name);
        std::vector<float> row(static_cast<std::size_t>(cols));
        std::vector<std::byte> encoded(kernels::dtype_bytes(dtype, row.size()));
        for (std::int64_t r = 0; r < rows * stacked; ++r) {
            for (auto& value : row) value = range.offset + range.spread * stream.next_signed_unit();
            kernels::quantize_row(dtype, row.data(), cols, encoded.data());
            sink.write(encoded.data(), encoded.size());
        }
    });
}

// A matrix with uniform entries in +-1/sqrt(cols): each output is then a sum of
// `cols` terms with variance ~1/(3 cols) each, so activations stay O(1).
void add_matrix(GgufWriter& writer, const std::string& name, const SyntheticShape& shape, int rows, int cols,
                int stacked = 1) {
    add_random_tensor(writer, name, shape.dtype, rows, cols, {0.0f, 1.0f / std::sqrt(static_cast<float>(cols))},
                      shape.seed, stacked);
}

// RMSNorm gains near 1, so the norms matter but do not blow anything up.
void add_norm(GgufWriter& writer, const std::string& name, const SyntheticShape& shape) {
    add_random_tensor(writer, name, DType::F32, 1, shape.dim, {1.0f, 0.1f}, shape.seed);
}

// Biases of the size of the projections' outputs' spread, so they matter.
void add_bias(GgufWriter& writer, const std::string& name, const SyntheticShape& shape, int size) {
    add_random_tensor(writer, name, DType::F32, 1, size, {0.0f, 0.5f}, shape.seed);
}

void add_vector(GgufWriter& writer, const std::string& name, std::vector<float> values) {
    const auto count = static_cast<std::int64_t>(values.size());
    writer.add_tensor(name, DType::F32, {count}, [values = std::move(values)](TensorSink& sink) {
        sink.write(values.data(), values.size() * sizeof(float));
    });
}

// The vocabulary the shape asks for, of exactly vocab_size tokens.
TokenizerData vocabulary_for(const SyntheticShape& shape) {
    if (!shape.vocabulary_from.empty()) {
        auto data = read_gguf_vocabulary(GgufFile(shape.vocabulary_from));
        require(data.has_value(), "synthetic model: '" + shape.vocabulary_from + "' holds no vocabulary");
        return std::move(*data);
    }
    if (shape.tokenizer == TokenizerModel::BytePairs) {
        return synthetic_bpe_vocabulary(shape.vocab_size,
                                        shape.architecture == Architecture::Qwen2 ? "qwen2" : "llama-bpe");
    }
    return synthetic_vocabulary(shape.vocab_size);
}

void add_metadata(GgufWriter& writer, const ModelConfig& config, const SyntheticShape& shape,
                  const TokenizerData& vocabulary) {
    const std::string arch = architecture_name(config.architecture);
    const auto key = [&](const char* suffix) { return arch + "." + suffix; };
    writer.set_string("general.architecture", arch);
    writer.set_string("general.name", config.name);
    writer.set_u32("general.file_type", gguf::mapping_of(shape.dtype)->file_type);
    writer.set_u32(key("context_length"), static_cast<std::uint32_t>(config.context_length));
    writer.set_u32(key("embedding_length"), static_cast<std::uint32_t>(config.dim));
    writer.set_u32(key("block_count"), static_cast<std::uint32_t>(config.n_layers));
    writer.set_u32(key("feed_forward_length"), static_cast<std::uint32_t>(config.hidden_dim));
    writer.set_u32(key("attention.head_count"), static_cast<std::uint32_t>(config.n_heads));
    writer.set_u32(key("attention.head_count_kv"), static_cast<std::uint32_t>(config.n_kv_heads));
    writer.set_u32(key("rope.dimension_count"), static_cast<std::uint32_t>(config.head_dim()));
    writer.set_f32(key("attention.layer_norm_rms_epsilon"), config.rms_norm_eps);
    writer.set_f32(key("rope.freq_base"), config.rope_theta);
    if (shape.rope_scale_linear > 0) {
        writer.set_string(key("rope.scaling.type"), "linear");
        writer.set_f32(key("rope.scaling.factor"), shape.rope_scale_linear);
    }
    writer.set_u32(key("vocab_size"), static_cast<std::uint32_t>(config.vocab_size));
    if (config.is_mixture_of_experts()) {
        writer.set_u32(key("expert_count"), static_cast<std::uint32_t>(config.experts));
        writer.set_u32(key("expert_used_count"), static_cast<std::uint32_t>(config.active_experts));
    }
    write_gguf_vocabulary(writer, vocabulary);
}

}  // namespace

std::vector<std::string> synthetic_preset_names() { return {"tiny", "bench-110m", "compiler-test"}; }

SyntheticShape synthetic_preset(const std::string& name) {
    SyntheticShape shape;
    if (name == "tiny") return shape;
    if (name == "bench-110m") {
        shape.dim = 768;
        shape.n_layers = 12;
        shape.n_heads = 12;
        shape.n_kv_heads = 12;
        shape.hidden_dim = 2048;
        shape.vocab_size = 32000;
        shape.context_length = 1024;
        shape.tied_output = true;
        return shape;
    }
    if (name == "compiler-test") {
        shape.dim = 512;
        shape.n_layers = 8;
        shape.n_heads = 8;
        shape.n_kv_heads = 2;
        shape.hidden_dim = 1376;
        shape.vocab_size = 4096;
        shape.context_length = 1024;
        return shape;
    }
    std::string names;
    for (const auto& known : synthetic_preset_names()) names += (names.empty() ? "" : ", ") + known;
    throw Error("unknown synthetic model preset '" + name + "' (known: " + names + ")");
}

ModelConfig synthetic_config(const SyntheticShape& shape) {
    require(shape.dtype != DType::F8_E4M3, "synthetic model: dtype " + kernels::dtype_name(shape.dtype) +
                                               " is not supported (a model file type: F32, F16, BF16, Q8_0, Q4_K, ...)");
    ModelConfig config;
    config.name = "lpu-synthetic-seed" + std::to_string(shape.seed);
    config.dim = shape.dim;
    config.hidden_dim = shape.hidden_dim;
    config.n_layers = shape.n_layers;
    config.n_heads = shape.n_heads;
    config.n_kv_heads = shape.n_kv_heads;
    config.vocab_size = shape.vocab_size;
    config.context_length = shape.context_length;
    config.tied_output = shape.tied_output;
    config.weight_dtype = shape.dtype;
    config.architecture = shape.architecture;
    config.qkv_bias = shape.architecture == Architecture::Qwen2;
    config.rope_pairing =
        shape.architecture == Architecture::Qwen2 ? kernels::RopePairing::Halves : kernels::RopePairing::Adjacent;
    config.rope_freq_factors = shape.rope_freqs;
    config.experts = shape.experts;
    config.active_experts = shape.experts_used;
    require(shape.experts == 1 || shape.architecture == Architecture::Llama,
            "synthetic model: a mixture of experts is written for the llama architecture (as llama.cpp's Mixtral)");
    if (shape.rope_scale_linear > 0) config.rope_freq_scale = 1.0f / shape.rope_scale_linear;
    require(shape.rope_scale_linear >= 0 && std::isfinite(shape.rope_scale_linear),
            "synthetic model: the linear RoPE scaling factor must be positive");
    require(!shape.rope_freqs || shape.architecture == Architecture::Llama,
            "synthetic model: rope_freqs (Llama 3.1's RoPE factors) belong to the llama architecture");
    validate(config);
    require(shape.vocab_size >= kMinVocabSize, "synthetic model: vocab_size " + std::to_string(shape.vocab_size) +
                                                   " is too small: the byte-level vocabulary needs at least " +
                                                   std::to_string(kMinVocabSize) + " tokens");
    const int block = static_cast<int>(kernels::block_shape(shape.dtype).values);
    for (const auto& row : {std::pair{"dim", shape.dim}, std::pair{"hidden_dim", shape.hidden_dim}}) {
        require(row.second % block == 0, [&] {
            return "synthetic model: " + kernels::dtype_name(shape.dtype) + " needs row lengths that are multiples of " +
                   std::to_string(block) + ", but " + row.first + " is " + std::to_string(row.second);
        });
    }
    return config;
}

TokenizerData synthetic_vocabulary(int vocab_size) {
    require(vocab_size >= kMinVocabSize, "synthetic vocabulary: vocab_size " + std::to_string(vocab_size) +
                                             " is below the " + std::to_string(kMinVocabSize) + " byte-level tokens");
    TokenizerData data;
    const auto size = static_cast<std::size_t>(vocab_size);
    data.pieces.reserve(size);
    const auto add = [&](std::string piece, TokenType type) {
        // Later pieces score lower, so shorter (earlier) merges win.
        const float score = type == TokenType::Normal ? -static_cast<float>(data.pieces.size() - kMinVocabSize) : 0.0f;
        data.pieces.push_back(std::move(piece));
        data.scores.push_back(score);
        data.types.push_back(type);
    };
    add("<unk>", TokenType::Unknown);
    add("<s>", TokenType::Control);
    add("</s>", TokenType::Control);
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int byte = 0; byte < 256; ++byte) add(std::string("<0x") + kHex[byte >> 4] + kHex[byte & 15] + ">", TokenType::Byte);

    // Single characters: the space marker and printable ASCII.
    std::vector<std::string> singles{std::string(kSpacePiece)};
    for (char c = '!'; c <= '~'; ++c) singles.emplace_back(1, c);
    for (auto& single : singles) {
        if (data.pieces.size() == size) return data;
        add(std::move(single), TokenType::Normal);
    }
    // Strings of length 2, 3, ...: a word start ("▁" or a letter) followed by
    // letters. Each level extends every string of the level before by one letter,
    // so every piece is a known piece plus a letter and BPE can reach it.
    std::vector<std::string> level{std::string(kSpacePiece)};
    for (const char c : kLetters) level.emplace_back(1, c);
    while (true) {
        std::vector<std::string> longer;
        for (const auto& prefix : level) {
            for (const char c : kLetters) {
                if (data.pieces.size() == size) return data;
                add(prefix + c, TokenType::Normal);
                longer.push_back(prefix + c);
            }
        }
        level = std::move(longer);
    }
}

TokenizerData synthetic_bpe_vocabulary(int vocab_size, const std::string& pre_tokenizer) {
    require(vocab_size >= kMinVocabSize, "synthetic vocabulary: vocab_size " + std::to_string(vocab_size) +
                                             " is below the " + std::to_string(kMinVocabSize) + " byte-level tokens");
    TokenizerData data;
    data.model = TokenizerModel::BytePairs;
    data.pre_tokenizer = pre_tokenizer;
    data.add_bos = false;
    data.add_space_prefix = false;
    const auto size = static_cast<std::size_t>(vocab_size);
    const auto add = [&](std::string piece, TokenType type) {
        data.pieces.push_back(std::move(piece));
        data.scores.push_back(0.0f);
        data.types.push_back(type);
        return static_cast<std::int32_t>(data.pieces.size() - 1);
    };
    for (int byte = 0; byte < 256; ++byte) add(byte_level::encode_byte(static_cast<unsigned char>(byte)), TokenType::Normal);
    data.bos_id = data.eos_id = add("<|endoftext|>", TokenType::Control);
    add("<|im_start|>", TokenType::Control);
    data.eot_id = add("<|im_end|>", TokenType::Control);
    data.chat_template =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
        "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    // Strings of length 2, 3, ...: a word start (the space character or a letter)
    // followed by letters, each level extending the one before by one letter.
    const std::string space = byte_level::encode_byte(' ');
    std::vector<std::string> level{space};
    for (const char c : kLetters) level.emplace_back(1, c);
    while (data.pieces.size() < size) {
        std::vector<std::string> longer;
        for (const auto& prefix : level) {
            for (const char c : kLetters) {
                if (data.pieces.size() == size) return data;
                add(prefix + c, TokenType::Normal);
                data.merges.push_back(prefix + " " + c);
                longer.push_back(prefix + c);
            }
        }
        level = std::move(longer);
    }
    return data;
}

std::vector<float> llama3_rope_factors(int head_dim, float theta, int context_length) {
    constexpr double kFactor = 8.0, kLowFreqFactor = 1.0, kHighFreqFactor = 4.0;
    const double low_freq_wavelength = context_length / kLowFreqFactor;
    const double high_freq_wavelength = context_length / kHighFreqFactor;
    std::vector<float> factors;
    for (int i = 0; i < head_dim; i += 2) {
        const double wavelength = 2.0 * 3.14159265358979323846 * std::pow(static_cast<double>(theta), static_cast<double>(i) / head_dim);
        double factor = 1.0;
        if (wavelength > low_freq_wavelength) {
            factor = kFactor;
        } else if (wavelength >= high_freq_wavelength) {
            const double smooth = (context_length / wavelength - kLowFreqFactor) / (kHighFreqFactor - kLowFreqFactor);
            factor = 1.0 / ((1.0 - smooth) / kFactor + smooth);
        }
        factors.push_back(static_cast<float>(factor));
    }
    return factors;
}

std::uint64_t write_synthetic_model(const SyntheticShape& shape, const std::string& path) {
    SyntheticShape sized = shape;
    const TokenizerData vocabulary = vocabulary_for(shape);
    sized.vocab_size = static_cast<int>(vocabulary.pieces.size());
    const ModelConfig config = synthetic_config(sized);
    GgufWriter writer;
    add_metadata(writer, config, sized, vocabulary);
    // The embedding's rows are looked up, not multiplied, so their entries are O(1) directly.
    add_random_tensor(writer, "token_embd.weight", shape.dtype, config.vocab_size, config.dim, {0.0f, 1.0f},
                      shape.seed);
    for (int layer = 0; layer < config.n_layers; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        add_norm(writer, prefix + "attn_norm.weight", shape);
        add_matrix(writer, prefix + "attn_q.weight", shape, config.dim, config.dim);
        add_matrix(writer, prefix + "attn_k.weight", shape, config.kv_dim(), config.dim);
        add_matrix(writer, prefix + "attn_v.weight", shape, config.kv_dim(), config.dim);
        add_matrix(writer, prefix + "attn_output.weight", shape, config.dim, config.dim);
        add_norm(writer, prefix + "ffn_norm.weight", shape);
        if (config.is_mixture_of_experts()) {
            // The router stays F32, as llama.cpp keeps ffn_gate_inp; logits of spread ~1 route decisively.
            add_random_tensor(writer, prefix + "ffn_gate_inp.weight", DType::F32, config.experts, config.dim,
                              {0.0f, 2.0f / std::sqrt(static_cast<float>(config.dim))}, shape.seed);
            add_matrix(writer, prefix + "ffn_gate_exps.weight", shape, config.hidden_dim, config.dim, config.experts);
            add_matrix(writer, prefix + "ffn_down_exps.weight", shape, config.dim, config.hidden_dim, config.experts);
            add_matrix(writer, prefix + "ffn_up_exps.weight", shape, config.hidden_dim, config.dim, config.experts);
        } else {
            add_matrix(writer, prefix + "ffn_gate.weight", shape, config.hidden_dim, config.dim);
            add_matrix(writer, prefix + "ffn_down.weight", shape, config.dim, config.hidden_dim);
            add_matrix(writer, prefix + "ffn_up.weight", shape, config.hidden_dim, config.dim);
        }
        if (config.qkv_bias) {
            add_bias(writer, prefix + "attn_q.bias", shape, config.dim);
            add_bias(writer, prefix + "attn_k.bias", shape, config.kv_dim());
            add_bias(writer, prefix + "attn_v.bias", shape, config.kv_dim());
        }
    }
    add_norm(writer, "output_norm.weight", shape);
    if (!config.tied_output) add_matrix(writer, "output.weight", shape, config.vocab_size, config.dim);
    if (config.rope_freq_factors) {
        add_vector(writer, "rope_freqs.weight", llama3_rope_factors(config.head_dim(), config.rope_theta, config.context_length));
    }
    return writer.write(path);
}

std::string synthetic_model_summary(const SyntheticShape& shape, const std::string& path, std::uint64_t size_bytes) {
    const auto written = open_model(path);
    const auto& config = written->config();
    std::string extras;
    if (config.qkv_bias) extras += ", q/k/v biases";
    if (config.rope_freq_factors) extras += ", rope_freqs";
    if (config.rope_freq_scale != 1.0f) extras += ", linear RoPE scaling x" + std::to_string(shape.rope_scale_linear);
    if (config.is_mixture_of_experts()) {
        extras += ", " + std::to_string(config.experts) + " experts, " + std::to_string(config.active_experts) + " per token";
    }
    return printf_text("wrote %s (%llu bytes): %s dim %d, %d layers, %d heads / %d KV heads, hidden %d, vocab %d (%s), "
                       "context %d, %s, seed %llu, %s output%s",
                       path.c_str(), static_cast<unsigned long long>(size_bytes),
                       architecture_name(config.architecture), config.dim, config.n_layers, config.n_heads,
                       config.n_kv_heads, config.hidden_dim, config.vocab_size,
                       tokenizer_model_name(written->tokenizer()->model), config.context_length,
                       kernels::dtype_name(config.weight_dtype).c_str(), static_cast<unsigned long long>(shape.seed),
                       config.tied_output ? "tied" : "separate", extras.c_str());
}

}  // namespace lpu::model
