#include "runtime/model/gguf_vocabulary.hpp"

#include <string>

#include "runtime/model/bpe_pre_tokenizer.hpp"

namespace lpu::model {
namespace {

// A special token id: `fallback` when the key is absent. llama.cpp writes
// "no token" as -1 stored in a u32 (4294967295); that reads as absent too.
std::int32_t token_id(const GgufFile& file, const char* key, std::int32_t fallback, std::size_t vocab_size) {
    if (!file.has(key)) return fallback;
    const std::uint32_t id = file.get_u32(key);
    if (id == UINT32_MAX) return -1;
    if (id >= vocab_size) {
        throw file.error(std::string(key) + " is " + std::to_string(id) + ", outside the vocabulary of " +
                         std::to_string(vocab_size) + " tokens");
    }
    return static_cast<std::int32_t>(id);
}

bool flag(const GgufFile& file, const char* key, bool fallback) {
    return file.has(key) ? file.get_bool(key) : fallback;
}

std::vector<TokenType> token_types(const GgufFile& file, std::size_t vocab_size) {
    std::vector<TokenType> types;
    if (!file.has("tokenizer.ggml.token_type")) return types;
    const auto values = file.get_i32_array("tokenizer.ggml.token_type");
    if (values.size() != vocab_size) {
        throw file.error("tokenizer.ggml.token_type has " + std::to_string(values.size()) + " entries for " +
                         std::to_string(vocab_size) + " tokens");
    }
    types.reserve(vocab_size);
    for (std::size_t i = 0; i < vocab_size; ++i) {
        if (values[i] < static_cast<std::int32_t>(TokenType::Normal) ||
            values[i] > static_cast<std::int32_t>(TokenType::Byte)) {
            throw file.error("tokenizer.ggml.token_type[" + std::to_string(i) + "] is " + std::to_string(values[i]) +
                             " (valid: 1 to 6)");
        }
        types.push_back(static_cast<TokenType>(values[i]));
    }
    return types;
}

void read_byte_pair_keys(const GgufFile& file, TokenizerData& data) {
    if (!file.has("tokenizer.ggml.pre")) {
        throw file.error("tokenizer.ggml.pre is missing: a gpt2 (byte-level BPE) vocabulary must name its "
                         "pre-tokenizer (known: " + known_pre_tokenizer_names() + ")");
    }
    data.pre_tokenizer = file.get_string("tokenizer.ggml.pre");
    const auto pre = pre_tokenizer_named(data.pre_tokenizer);
    if (!pre) {
        throw file.error("tokenizer.ggml.pre is '" + data.pre_tokenizer + "', an unknown pre-tokenizer (known: " +
                         known_pre_tokenizer_names() + ")");
    }
    if (!file.has("tokenizer.ggml.merges")) throw file.error("tokenizer.ggml.merges is missing (a gpt2 vocabulary needs it)");
    data.merges = file.get_string_array("tokenizer.ggml.merges");
    // llama.cpp's defaults for byte-level vocabularies: no BOS/EOS unless named,
    // BOS added only for Llama 3's pre-tokenizer, no dummy prefix.
    data.bos_id = -1;
    data.eos_id = -1;
    data.add_bos = *pre == PreTokenizer::Llama3;
    data.add_space_prefix = false;
}

}  // namespace

std::optional<TokenizerData> read_gguf_vocabulary(const GgufFile& file) {
    if (!file.has("tokenizer.ggml.tokens") && !file.has("tokenizer.ggml.model")) return std::nullopt;
    const std::string kind = file.get_string("tokenizer.ggml.model");
    TokenizerData data;
    if (kind == "gpt2") {
        data.model = TokenizerModel::BytePairs;
    } else if (kind != "llama") {
        throw file.error("tokenizer.ggml.model is '" + kind +
                         "'; supported: 'llama' (SentencePiece) and 'gpt2' (byte-level BPE)");
    }
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
    data.types = token_types(file, vocab_size);
    if (data.model == TokenizerModel::BytePairs) read_byte_pair_keys(file, data);

    data.bos_id = token_id(file, "tokenizer.ggml.bos_token_id", data.bos_id, vocab_size);
    data.eos_id = token_id(file, "tokenizer.ggml.eos_token_id", data.eos_id, vocab_size);
    data.eot_id = token_id(file, "tokenizer.ggml.eot_token_id", data.eot_id, vocab_size);
    data.eom_id = token_id(file, "tokenizer.ggml.eom_token_id", data.eom_id, vocab_size);
    data.add_bos = flag(file, "tokenizer.ggml.add_bos_token", data.add_bos);
    data.add_eos = flag(file, "tokenizer.ggml.add_eos_token", data.add_eos);
    data.add_space_prefix = flag(file, "tokenizer.ggml.add_space_prefix", data.add_space_prefix);
    if (file.has("tokenizer.chat_template")) data.chat_template = file.get_string("tokenizer.chat_template");
    return data;
}

void write_gguf_vocabulary(GgufWriter& writer, const TokenizerData& data) {
    const bool sentencepiece = data.model == TokenizerModel::SentencePiece;
    writer.set_string("tokenizer.ggml.model", tokenizer_model_name(data.model));
    if (!sentencepiece) writer.set_string("tokenizer.ggml.pre", data.pre_tokenizer);
    writer.set_string_array("tokenizer.ggml.tokens", data.pieces);
    if (sentencepiece) writer.set_f32_array("tokenizer.ggml.scores", data.scores);
    if (!data.types.empty()) {
        std::vector<std::int32_t> types;
        types.reserve(data.types.size());
        for (const auto type : data.types) types.push_back(static_cast<std::int32_t>(type));
        writer.set_i32_array("tokenizer.ggml.token_type", std::move(types));
    }
    if (!sentencepiece) writer.set_string_array("tokenizer.ggml.merges", data.merges);
    for (const auto& [key, id] : {std::pair{"tokenizer.ggml.bos_token_id", data.bos_id},
                                  std::pair{"tokenizer.ggml.eos_token_id", data.eos_id},
                                  std::pair{"tokenizer.ggml.eot_token_id", data.eot_id},
                                  std::pair{"tokenizer.ggml.eom_token_id", data.eom_id}}) {
        if (id >= 0) writer.set_u32(key, static_cast<std::uint32_t>(id));
    }
    writer.set_bool("tokenizer.ggml.add_bos_token", data.add_bos);
    writer.set_bool("tokenizer.ggml.add_eos_token", data.add_eos);
    if (sentencepiece) writer.set_bool("tokenizer.ggml.add_space_prefix", data.add_space_prefix);
    if (!data.chat_template.empty()) writer.set_string("tokenizer.chat_template", data.chat_template);
}

std::uint64_t write_vocab_only_gguf(const TokenizerData& data, const std::string& architecture, const std::string& name,
                                    const std::string& path) {
    GgufWriter writer;
    writer.set_string("general.architecture", architecture);
    writer.set_string("general.name", name);
    write_gguf_vocabulary(writer, data);
    return writer.write(path);
}

}  // namespace lpu::model
