#pragma once
// The tokenizer of a model, whichever algorithm its vocabulary uses:
// SentencePiece (sentencepiece_tokenizer.hpp) or byte-level BPE
// (bpe_tokenizer.hpp). It adds what both share, as llama.cpp does: special
// tokens cut out of the text first (special_tokens.hpp), BOS/EOS as the
// vocabulary asks (add_bos / add_eos), and which tokens end a generation.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/bpe_tokenizer.hpp"
#include "runtime/model/sentencepiece_tokenizer.hpp"
#include "runtime/model/special_tokens.hpp"
#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

struct EncodeOptions {
    bool add_special = true;     // BOS / EOS when the vocabulary adds them (add_bos, add_eos)
    bool parse_special = false;  // text of control tokens becomes those tokens (llama.cpp's "special")
};

// Text given in parts that are parsed differently: a chat template's own text
// holds special tokens, the messages in it must not be able to.
struct TextSegment {
    std::string_view text;
    bool parse_special = false;
};

class Tokenizer {
public:
    // Validates `data` (sizes agree, ids in range, the BPE merges and
    // pre-tokenizer); throws lpu::Error naming the problem.
    explicit Tokenizer(TokenizerData data);

    std::vector<int> encode(std::string_view text, EncodeOptions options = {}) const;
    // The segments are tokenized as one text (they are joined where no special
    // token separates them), each with its own parse_special.
    std::vector<int> encode(std::span<const TextSegment> segments, bool add_special) const;

    // The bytes `token` prints when it follows `prev_token`, for streaming:
    // control tokens print nothing (their text with `render_special`); a
    // SentencePiece piece's leading space is dropped right after BOS. May be
    // part of a UTF-8 character. Throws on an invalid id.
    std::string decode(int prev_token, int token, bool render_special = false) const;
    // The bytes of a whole sequence: decode(encode(text)) == text.
    std::string decode(std::span<const int> tokens, bool render_special = false) const;

    // The piece as stored in the vocabulary.
    const std::string& piece(int token) const;
    TokenType type(int token) const;

    TokenizerModel model() const { return data_.model; }
    int vocab_size() const { return static_cast<int>(data_.pieces.size()); }
    int bos_id() const { return data_.bos_id; }  // -1 when there is none
    int eos_id() const { return data_.eos_id; }
    bool adds_bos() const { return data_.add_bos; }
    // EOS, end-of-turn and end-of-message tokens: where a reply ends.
    bool is_end_of_generation(int token) const;
    const std::vector<int>& end_of_generation_ids() const { return end_of_generation_; }
    const std::string& chat_template() const { return data_.chat_template; }
    // The first id whose piece is exactly `text`, or -1.
    int find_piece(std::string_view text) const;

private:
    void check_id(int token) const;
    std::vector<int> encode_fragments(const std::vector<TextFragment>& fragments, bool add_special) const;

    TokenizerData data_;
    std::unique_ptr<SentencePieceTokenizer> sentencepiece_;
    std::unique_ptr<BpeTokenizer> bpe_;
    SpecialTokenMatcher special_tokens_;
    std::vector<int> end_of_generation_;
};

}  // namespace lpu::model
