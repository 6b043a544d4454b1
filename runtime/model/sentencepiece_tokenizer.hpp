#pragma once
// The Llama SentencePiece BPE tokenizer (tokenizer.ggml.model "llama"), working
// exactly as llama2.c's run.c encode()/decode() do: code points first (bytes as
// <0xNN> pieces when a code point is not in the vocabulary), then greedy merges
// of the adjacent pair whose merged piece scores highest. Works on both
// vocabulary styles: GGUF's, where a space is the piece character "▁" (U+2581),
// and llama2.c's tokenizer.bin with plain ' '.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

class SentencePieceTokenizer {
public:
    // Validates `data` (sizes agree, BOS/EOS ids in range); throws lpu::Error otherwise.
    explicit SentencePieceTokenizer(TokenizerData data);

    // Token ids of `text`: BOS first when `add_bos`, and a dummy-prefix space
    // before non-empty text when the vocabulary asks for one.
    std::vector<int> encode(std::string_view text, bool add_bos) const;

    // Appends the tokens of `text` alone (no BOS), with the dummy-prefix space
    // when `dummy_prefix` and the vocabulary asks for one: how the Tokenizer
    // encodes each stretch of text between special tokens.
    void encode_text(std::string_view text, bool dummy_prefix, std::vector<int>& out) const;

    // The bytes `token` prints when it follows `prev_token` (llama2.c semantics:
    // a piece's leading space is dropped right after BOS; <0xNN> gives the raw
    // byte; BOS, EOS and control tokens print nothing). Throws on an invalid id.
    std::string decode(int prev_token, int token) const;

    // The text of a whole sequence. When the vocabulary adds a dummy-prefix space,
    // the start counts as "right after BOS", so decode(encode(text, b)) == text
    // for either b.
    std::string decode(const std::vector<int>& tokens) const;

    // The piece as stored in the vocabulary (with "▁" where the vocabulary has it).
    const std::string& piece(int token) const;
    float score(int token) const;

    int vocab_size() const { return static_cast<int>(data_.pieces.size()); }
    int bos_id() const { return data_.bos_id; }
    int eos_id() const { return data_.eos_id; }
    // True when the vocabulary writes spaces as "▁" (GGUF) rather than ' ' (llama2.c).
    bool uses_sentencepiece_space() const { return sentencepiece_space_; }

private:
    void check_id(int token) const;
    bool is_text_token(int token) const;   // may be produced from text by lookup or merge
    int byte_token(unsigned char byte) const;
    std::vector<int> initial_tokens(std::string_view normalized) const;
    std::vector<int> merge(std::vector<int> tokens) const;

    TokenizerData data_;
    bool sentencepiece_space_ = false;
    std::unordered_map<std::string, int> text_ids_;     // piece -> id, text tokens only
    std::array<int, 256> byte_ids_{};                   // byte -> id of its <0xNN> piece, -1 if none
    std::vector<int> token_bytes_;                      // id -> byte for <0xNN> pieces, -1 otherwise
    int unknown_id_ = -1;                               // used when a byte has no <0xNN> piece
};

}  // namespace lpu::model
