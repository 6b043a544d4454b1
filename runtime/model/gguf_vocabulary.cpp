#include "runtime/model/gguf_vocabulary.hpp"

#include <string>

namespace lpu::model {
namespace {

std::int32_t token_id(const GgufFile& file, const char* key, std::int32_t fallback, std::size_t vocab_size) {
    if (!file.has(key)) return fallback;
    const std::uint32_t id = file.get_u32(key);
    if (id >= vocab_size) {
        throw file.error(std::string(key) + " is " + std::to_string(id) + ", outside the vocabulary of " +
                         std::to_string(vocab_size) + " tokens");
    }
    return static_cast<std::int32_t>(id);
}

bool flag(const GgufFile& file, const char* key, bool fallback) {
    return file.has(key) ? file.get_bool(key) : fallback;
}

}  // namespace

std::optional<TokenizerData> read_gguf_vocabulary(const GgufFile& file) {
    if (!file.has("tokenizer.ggml.tokens") && !file.has("tokenizer.ggml.model")) return std::nullopt;
    const std::string kind = file.get_string("tokenizer.ggml.model");
    if (kind != "llama") {
        throw file.error("tokenizer.ggml.model is '" + kind +
                         "'; only 'llama' (SentencePiece) vocabularies are supported");
    }
    TokenizerData data;
    data.pieces = file.get_string_array("tokenizer.ggml.tokens");
    const std::size_t vocab_size = data.pieces.size();
    if (vocab_size == 0) throw file.error("tokenizer.ggml.tokens is empty");

    if (file.has("tokenizer.ggml.scores")) {
        data.scores = file.get_f32_array("tokenizer.ggml.scores");
        if (data.scores.size() != vocab_size) {
            throw file.error("tokenizer.ggml.scores has " + std::to_string(data.scores.size()) + " entries for " +
                             std::to_string(vocab_size) + " tokens");
        }
    } else {
        data.scores.assign(vocab_size, 0.0f);
    }

    if (file.has("tokenizer.ggml.token_type")) {
        const auto types = file.get_i32_array("tokenizer.ggml.token_type");
        if (types.size() != vocab_size) {
            throw file.error("tokenizer.ggml.token_type has " + std::to_string(types.size()) + " entries for " +
                             std::to_string(vocab_size) + " tokens");
        }
        data.types.reserve(vocab_size);
        for (std::size_t i = 0; i < vocab_size; ++i) {
            if (types[i] < static_cast<std::int32_t>(TokenType::Normal) ||
                types[i] > static_cast<std::int32_t>(TokenType::Byte)) {
                throw file.error("tokenizer.ggml.token_type[" + std::to_string(i) + "] is " + std::to_string(types[i]) +
                                 " (valid: 1 to 6)");
            }
            data.types.push_back(static_cast<TokenType>(types[i]));
        }
    }

    data.bos_id = token_id(file, "tokenizer.ggml.bos_token_id", data.bos_id, vocab_size);
    data.eos_id = token_id(file, "tokenizer.ggml.eos_token_id", data.eos_id, vocab_size);
    data.add_bos = flag(file, "tokenizer.ggml.add_bos_token", data.add_bos);
    data.add_space_prefix = flag(file, "tokenizer.ggml.add_space_prefix", data.add_space_prefix);
    return data;
}

}  // namespace lpu::model
