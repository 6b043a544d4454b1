#pragma once
// Byte-level BPE (tokenizer.ggml.model "gpt2": Llama 3, Qwen2, GPT-2 ...), as
// llama.cpp runs it: the text's bytes are written in GPT-2's byte alphabet
// (byte_level.hpp), the pre-tokenizer cuts them into words
// (bpe_pre_tokenizer.hpp), and within each word adjacent symbols are merged,
// always the pair whose merge comes first in the merges list (the leftmost on
// ties), until no listed pair is left. With Llama 3's pre-tokenizer a word that
// is itself a token is taken whole, without merging (tokenizer.json's
// "ignore_merges", llama.cpp's vocab.ignore_merges).
//
// The vocabulary is checked when built, so encoding never drops a byte: every
// byte has a token, and every merge names two tokens whose concatenation is a token.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/model/bpe_pre_tokenizer.hpp"
#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

class BpeTokenizer {
public:
    // Throws lpu::Error for an unknown pre-tokenizer, a merge that is not two
    // tokens separated by a space or whose parts or result are not tokens, or a
    // byte with no token.
    explicit BpeTokenizer(const TokenizerData& data);

    // Appends the tokens of `text` (no special tokens, no BOS/EOS).
    void encode_text(std::string_view text, std::vector<int>& out) const;

    // The bytes a normal (or byte) token stands for; empty for other types.
    const std::string& token_bytes(int token) const { return token_bytes_[static_cast<std::size_t>(token)]; }

    PreTokenizer pre_tokenizer() const { return pre_; }

private:
    struct Merge {
        std::int32_t rank;
        std::int32_t merged;
    };
    static std::uint64_t pair_key(int left, int right) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) | static_cast<std::uint32_t>(right);
    }
    void encode_word(std::string_view word, std::vector<int>& out) const;

    PreTokenizer pre_;
    bool whole_words_first_;                        // Llama 3's ignore_merges
    std::unordered_map<std::string, int> ids_;      // token text -> id (the last id of a duplicated text, as llama.cpp)
    std::unordered_map<std::uint64_t, Merge> merges_;  // (left id, right id) -> rank and merged id
    std::array<int, 256> byte_ids_{};               // byte -> the token of its alphabet character
    std::vector<std::string> token_bytes_;
};

}  // namespace lpu::model
