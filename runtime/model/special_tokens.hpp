#pragma once
// Special tokens in text: before a tokenizer sees text, every occurrence of a
// special token's text is cut out and becomes that token, as llama.cpp does
// (llama_vocab::tokenizer_st_partition). Control and unknown tokens (<s>,
// <|eot_id|>, <|im_start|> ...) are only recognised when the caller asks for it
// ("parse special", llama.cpp's default for chat templates, not for user text);
// user-defined tokens (Qwen's <think>, <tool_call> ...) always are, as in
// Hugging Face tokenizers. Longer tokens are cut first, then shorter ones in the
// pieces that remain.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

// A stretch of text, or a special token (token >= 0, text empty).
struct TextFragment {
    std::string text;
    int token = -1;
    bool is_token() const { return token >= 0; }
};

class SpecialTokenMatcher {
public:
    explicit SpecialTokenMatcher(const TokenizerData& data);

    // Appends the fragments of `text` to `out`; a text fragment that follows a
    // text fragment already in `out` is joined to it (so text given in parts is
    // tokenized as one, as llama.cpp tokenizes the whole string).
    void partition(std::string_view text, bool parse_special, std::vector<TextFragment>& out) const;

private:
    struct Special {
        std::string text;
        int token;
        bool always;  // user-defined: matched even without parse_special
    };
    std::vector<Special> specials_;  // longest text first, then by id
};

}  // namespace lpu::model
