#include "runtime/model/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <climits>

#include "base/error.hpp"

namespace lpu::model {
namespace {

// Tokens that end a reply in the vocabularies llama.cpp knows, found by their
// text (GGUF files name EOS, and sometimes EOT/EOM, but not all of them).
constexpr std::array<std::string_view, 8> kEndOfGenerationTexts{
    "<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
};

std::string id_text(const char* what, std::int32_t id, std::size_t n) {
    return std::string("tokenizer: ") + what + " " + std::to_string(id) + " outside the vocabulary of " +
           std::to_string(n) + " tokens";
}

void validate(const TokenizerData& data) {
    const std::size_t n = data.pieces.size();
    require(n > 0, "tokenizer: the vocabulary is empty");
    require(n <= static_cast<std::size_t>(INT32_MAX), "tokenizer: vocabulary of " + std::to_string(n) + " tokens is too large");
    require(data.types.empty() || data.types.size() == n,
            "tokenizer: " + std::to_string(data.types.size()) + " token types for " + std::to_string(n) + " pieces");
    for (const auto& [what, id] : {std::pair{"bos_id", data.bos_id}, std::pair{"eos_id", data.eos_id},
                                   std::pair{"eot_id", data.eot_id}, std::pair{"eom_id", data.eom_id}}) {
        require(id >= -1 && id < static_cast<std::int64_t>(n), id_text(what, id, n));
    }
}

}  // namespace

const char* tokenizer_model_name(TokenizerModel model) {
    return model == TokenizerModel::SentencePiece ? "llama" : "gpt2";
}

Tokenizer::Tokenizer(TokenizerData data) : data_((validate(data), std::move(data))), special_tokens_(data_) {
    if (data_.model == TokenizerModel::SentencePiece) {
        sentencepiece_ = std::make_unique<SentencePieceTokenizer>(data_);
    } else {
        bpe_ = std::make_unique<BpeTokenizer>(data_);
    }
    for (const int id : {data_.eos_id, data_.eot_id, data_.eom_id}) {
        if (id >= 0) end_of_generation_.push_back(id);
    }
    for (std::size_t id = 0; id < data_.pieces.size(); ++id) {
        if (std::find(kEndOfGenerationTexts.begin(), kEndOfGenerationTexts.end(), data_.pieces[id]) !=
            kEndOfGenerationTexts.end()) {
            end_of_generation_.push_back(static_cast<int>(id));
        }
    }
    std::sort(end_of_generation_.begin(), end_of_generation_.end());
    end_of_generation_.erase(std::unique(end_of_generation_.begin(), end_of_generation_.end()), end_of_generation_.end());
}

void Tokenizer::check_id(int token) const {
    require(token >= 0 && token < vocab_size(),
            [&] { return "token id " + std::to_string(token) + " outside the vocabulary of " + std::to_string(vocab_size()); });
}

const std::string& Tokenizer::piece(int token) const {
    check_id(token);
    return data_.pieces[static_cast<std::size_t>(token)];
}

TokenType Tokenizer::type(int token) const {
    check_id(token);
    return data_.types.empty() ? TokenType::Normal : data_.types[static_cast<std::size_t>(token)];
}

bool Tokenizer::is_end_of_generation(int token) const {
    return std::binary_search(end_of_generation_.begin(), end_of_generation_.end(), token);
}

int Tokenizer::find_piece(std::string_view text) const {
    const auto found = std::find(data_.pieces.begin(), data_.pieces.end(), text);
    return found == data_.pieces.end() ? -1 : static_cast<int>(found - data_.pieces.begin());
}

std::vector<int> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
    std::vector<TextFragment> fragments;
    special_tokens_.partition(text, options.parse_special, fragments);
    return encode_fragments(fragments, options.add_special);
}

std::vector<int> Tokenizer::encode(std::span<const TextSegment> segments, bool add_special) const {
    std::vector<TextFragment> fragments;
    for (const TextSegment& segment : segments) special_tokens_.partition(segment.text, segment.parse_special, fragments);
    return encode_fragments(fragments, add_special);
}

std::vector<int> Tokenizer::encode_fragments(const std::vector<TextFragment>& fragments, bool add_special) const {
    std::vector<int> tokens;
    if (add_special && data_.add_bos) {
        require(data_.bos_id >= 0, "tokenizer: the vocabulary adds BOS (add_bos_token) but has no BOS token");
        tokens.push_back(data_.bos_id);
    }
    // SentencePiece adds its dummy-prefix space at the start and after every
    // special token, as llama.cpp does.
    bool after_special = true;
    for (const TextFragment& fragment : fragments) {
        if (fragment.is_token()) {
            tokens.push_back(fragment.token);
            after_special = true;
        } else if (sentencepiece_) {
            sentencepiece_->encode_text(fragment.text, after_special, tokens);
            after_special = false;
        } else {
            bpe_->encode_text(fragment.text, tokens);
        }
    }
    if (add_special && data_.add_eos) {
        require(data_.eos_id >= 0, "tokenizer: the vocabulary adds EOS (add_eos_token) but has no EOS token");
        tokens.push_back(data_.eos_id);
    }
    return tokens;
}

std::string Tokenizer::decode(int prev_token, int token, bool render_special) const {
    const TokenType token_type = type(token);
    if (render_special && token_type == TokenType::Control) return piece(token);
    if (sentencepiece_) return sentencepiece_->decode(prev_token, token);
    switch (token_type) {
        case TokenType::Normal:
        case TokenType::Byte: return bpe_->token_bytes(token);
        case TokenType::UserDefined: return piece(token);
        case TokenType::Unknown: return render_special ? piece(token) : std::string();
        case TokenType::Control:
        case TokenType::Unused: return {};
    }
    return {};
}

std::string Tokenizer::decode(std::span<const int> tokens, bool render_special) const {
    std::string text;
    // SentencePiece: the dummy-prefix space encode() added is not part of the text.
    int prev = sentencepiece_ && data_.add_space_prefix ? data_.bos_id : -1;
    for (const int token : tokens) {
        text += decode(prev, token, render_special);
        prev = token;
    }
    return text;
}

}  // namespace lpu::model
