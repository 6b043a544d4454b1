#pragma once
// A SentencePiece-style vocabulary as the model files store it: GGUF's
// tokenizer.ggml.* keys or llama2.c's tokenizer.bin. The Tokenizer is built from this.
#include <cstdint>
#include <string>
#include <vector>

namespace lpu::model {

// GGUF token types (tokenizer.ggml.token_type).
enum class TokenType : std::int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct TokenizerData {
    std::vector<std::string> pieces;   // token id -> piece ("▁" already replaced by ' ' is NOT assumed)
    std::vector<float> scores;         // token id -> merge score (higher merges first)
    std::vector<TokenType> types;      // empty when the file has none (llama2.c)
    std::int32_t bos_id = 1;
    std::int32_t eos_id = 2;
    bool add_bos = true;
    bool add_space_prefix = true;      // SentencePiece's dummy prefix
};

}  // namespace lpu::model
