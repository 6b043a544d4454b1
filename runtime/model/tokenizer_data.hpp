#pragma once
// A vocabulary as the model files store it: GGUF's tokenizer.ggml.* keys or
// llama2.c's tokenizer.bin. The Tokenizer is built from this.
#include <cstdint>
#include <string>
#include <vector>

namespace lpu::model {

// GGUF token types (tokenizer.ggml.token_type).
enum class TokenType : std::int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

// tokenizer.ggml.model: "llama" is SentencePiece (scores, "▁" spaces, <0xNN>
// byte pieces), "gpt2" is byte-level BPE (merges by rank over GPT-2's byte alphabet).
enum class TokenizerModel { SentencePiece, BytePairs };

struct TokenizerData {
    TokenizerModel model = TokenizerModel::SentencePiece;
    std::vector<std::string> pieces;   // token id -> piece as stored ("▁" and byte-alphabet text kept)
    std::vector<float> scores;         // token id -> merge score (SentencePiece: higher merges first)
    std::vector<TokenType> types;      // empty when the file has none (llama2.c)
    std::vector<std::string> merges;   // BPE: "left right" pairs, the first merges first
    std::string pre_tokenizer;         // BPE: tokenizer.ggml.pre, e.g. "llama-bpe", "qwen2"
    // Special token ids; -1 when the vocabulary has none.
    std::int32_t bos_id = 1;
    std::int32_t eos_id = 2;
    std::int32_t eot_id = -1;          // end of turn (Llama 3 <|eot_id|>)
    std::int32_t eom_id = -1;          // end of message (Llama 3.1 <|eom_id|>)
    bool add_bos = true;
    bool add_eos = false;
    bool add_space_prefix = true;      // SentencePiece's dummy prefix
    std::string chat_template;         // tokenizer.chat_template (Jinja text), empty when absent
};

const char* tokenizer_model_name(TokenizerModel model);  // "llama" or "gpt2", as GGUF names them

}  // namespace lpu::model
