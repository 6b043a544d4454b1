#include "runtime/model/sentencepiece_tokenizer.hpp"

#include <cstdio>
#include <queue>
#include <utility>

#include "base/error.hpp"

namespace lpu::model {
namespace {

constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81";  // U+2581 "▁"

// The byte a "<0xNN>" piece stands for, or -1 when the piece is not of that form.
int parse_byte_piece(const std::string& piece) {
    if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return -1;
    int value = 0;
    for (int i = 3; i < 5; ++i) {
        const char c = piece[static_cast<std::size_t>(i)];
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

// Length of the UTF-8 sequence starting at text[i]: a lead byte and the
// continuation bytes that follow it (at most 4 bytes in all). Invalid input still
// advances by at least one byte, so every byte ends up in some code point.
std::size_t code_point_length(std::string_view text, std::size_t i) {
    std::size_t length = 1;
    while (length < 4 && i + length < text.size() &&
           (static_cast<unsigned char>(text[i + length]) & 0xC0) == 0x80) {
        ++length;
    }
    return length;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    std::size_t start = 0;
    for (std::size_t found; (found = text.find(from, start)) != std::string_view::npos; start = found + from.size()) {
        out.append(text.substr(start, found - start));
        out.append(to);
    }
    out.append(text.substr(start));
    return out;
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(TokenizerData data) : data_(std::move(data)) {
    const std::size_t n = data_.pieces.size();
    require(n > 0, "tokenizer: the vocabulary is empty");
    require(n <= static_cast<std::size_t>(INT32_MAX), "tokenizer: vocabulary of " + std::to_string(n) + " tokens is too large");
    require(data_.scores.size() == n, "tokenizer: " + std::to_string(data_.scores.size()) + " scores for " +
                                          std::to_string(n) + " pieces");
    require(data_.types.empty() || data_.types.size() == n,
            "tokenizer: " + std::to_string(data_.types.size()) + " token types for " + std::to_string(n) + " pieces");
    require(data_.bos_id >= 0 && static_cast<std::size_t>(data_.bos_id) < n,
            "tokenizer: bos_id " + std::to_string(data_.bos_id) + " outside the vocabulary of " + std::to_string(n));
    require(data_.eos_id >= 0 && static_cast<std::size_t>(data_.eos_id) < n,
            "tokenizer: eos_id " + std::to_string(data_.eos_id) + " outside the vocabulary of " + std::to_string(n));

    // The style whose space marker starts more pieces wins: vocabularies are full of
    // word-initial pieces, so this is unambiguous in practice.
    std::size_t sentencepiece_starts = 0, plain_starts = 0;
    for (const auto& piece : data_.pieces) {
        if (piece.starts_with(kSentencePieceSpace)) ++sentencepiece_starts;
        if (piece.starts_with(' ')) ++plain_starts;
    }
    sentencepiece_space_ = sentencepiece_starts > plain_starts;

    byte_ids_.fill(-1);
    token_bytes_.assign(n, -1);
    for (std::size_t id = 0; id < n; ++id) {
        const int byte = parse_byte_piece(data_.pieces[id]);
        const bool typed_as_byte = !data_.types.empty() && data_.types[id] == TokenType::Byte;
        if (byte >= 0 && (data_.types.empty() || typed_as_byte)) {
            token_bytes_[id] = byte;
            if (byte_ids_[static_cast<std::size_t>(byte)] < 0) byte_ids_[static_cast<std::size_t>(byte)] = static_cast<int>(id);
        }
    }
    text_ids_.reserve(n);
    for (std::size_t id = 0; id < n; ++id) {
        const int token = static_cast<int>(id);
        // The first id of a duplicated piece wins, whatever the order of insertion.
        if (is_text_token(token)) text_ids_.emplace(data_.pieces[id], token);
        const bool unknown = data_.types.empty() ? data_.pieces[id] == "<unk>" : data_.types[id] == TokenType::Unknown;
        if (unknown && unknown_id_ < 0) unknown_id_ = token;
    }
}

bool SentencePieceTokenizer::is_text_token(int token) const {
    const auto id = static_cast<std::size_t>(token);
    if (!data_.types.empty()) {
        return data_.types[id] == TokenType::Normal || data_.types[id] == TokenType::UserDefined;
    }
    // llama2.c's tokenizer.bin has no types: everything but BOS, EOS, <unk> and bytes is text.
    return token != data_.bos_id && token != data_.eos_id && token_bytes_[id] < 0 && data_.pieces[id] != "<unk>";
}

void SentencePieceTokenizer::check_id(int token) const {
    require(token >= 0 && token < vocab_size(),
            "token id " + std::to_string(token) + " outside the vocabulary of " + std::to_string(vocab_size()));
}

const std::string& SentencePieceTokenizer::piece(int token) const {
    check_id(token);
    return data_.pieces[static_cast<std::size_t>(token)];
}

float SentencePieceTokenizer::score(int token) const {
    check_id(token);
    return data_.scores[static_cast<std::size_t>(token)];
}

int SentencePieceTokenizer::byte_token(unsigned char byte) const {
    const int id = byte_ids_[byte];
    if (id >= 0) return id;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", byte);
    require(unknown_id_ >= 0, std::string("tokenizer: byte ") + hex +
                                  " is not in the vocabulary, which has no <0xNN> piece for it and no <unk>");
    return unknown_id_;
}

std::vector<int> SentencePieceTokenizer::initial_tokens(std::string_view normalized) const {
    std::vector<int> tokens;
    tokens.reserve(normalized.size());
    for (std::size_t i = 0; i < normalized.size();) {
        const std::size_t length = code_point_length(normalized, i);
        const auto found = text_ids_.find(std::string(normalized.substr(i, length)));
        if (found != text_ids_.end()) {
            tokens.push_back(found->second);
        } else {
            for (std::size_t b = i; b < i + length; ++b) tokens.push_back(byte_token(static_cast<unsigned char>(normalized[b])));
        }
        i += length;
    }
    return tokens;
}

// llama2.c merges, one at a time, the adjacent pair with the highest-scoring merged
// piece, the leftmost on ties. A scan per merge is quadratic, so this keeps the
// candidate pairs in a heap ordered by (score desc, position asc) over a linked list
// of symbols; stale candidates (a side already merged away) are skipped when popped.
// The sequence of merges is the same as llama2.c's.
std::vector<int> SentencePieceTokenizer::merge(std::vector<int> tokens) const {
    const std::size_t n = tokens.size();
    std::vector<int> next(n), prev(n);
    std::vector<std::uint32_t> version(n, 0);  // bumped whenever a symbol changes
    for (std::size_t i = 0; i < n; ++i) {
        next[i] = i + 1 < n ? static_cast<int>(i + 1) : -1;
        prev[i] = static_cast<int>(i) - 1;
    }
    struct Candidate {
        float score;
        int left, right;
        std::uint32_t left_version, right_version;
        int merged_token;
    };
    const auto worse = [](const Candidate& a, const Candidate& b) {
        if (a.score != b.score) return a.score < b.score;
        return a.left > b.left;
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(worse)> heap(worse);
    const auto consider = [&](int left) {
        const int right = next[static_cast<std::size_t>(left)];
        if (left < 0 || right < 0) return;
        const auto found = text_ids_.find(data_.pieces[static_cast<std::size_t>(tokens[static_cast<std::size_t>(left)])] +
                                          data_.pieces[static_cast<std::size_t>(tokens[static_cast<std::size_t>(right)])]);
        if (found == text_ids_.end()) return;
        heap.push({data_.scores[static_cast<std::size_t>(found->second)], left, right,
                   version[static_cast<std::size_t>(left)], version[static_cast<std::size_t>(right)], found->second});
    };
    for (std::size_t i = 0; i + 1 < n; ++i) consider(static_cast<int>(i));

    constexpr std::uint32_t kRemoved = UINT32_MAX;
    while (!heap.empty()) {
        const Candidate best = heap.top();
        heap.pop();
        const auto left = static_cast<std::size_t>(best.left), right = static_cast<std::size_t>(best.right);
        if (version[left] != best.left_version || version[right] != best.right_version || next[left] != best.right) {
            continue;
        }
        tokens[left] = best.merged_token;
        ++version[left];
        version[right] = kRemoved;
        next[left] = next[right];
        if (next[left] >= 0) prev[static_cast<std::size_t>(next[left])] = best.left;
        if (prev[left] >= 0) consider(prev[left]);
        consider(best.left);
    }
    std::vector<int> merged;
    for (int i = n > 0 ? 0 : -1; i >= 0; i = next[static_cast<std::size_t>(i)]) merged.push_back(tokens[static_cast<std::size_t>(i)]);
    return merged;
}

void SentencePieceTokenizer::encode_text(std::string_view text, bool dummy_prefix, std::vector<int>& out) const {
    std::string normalized;
    if (dummy_prefix && data_.add_space_prefix && !text.empty()) normalized = " ";
    normalized.append(text);
    if (sentencepiece_space_) normalized = replace_all(normalized, " ", kSentencePieceSpace);
    const auto merged = merge(initial_tokens(normalized));
    out.insert(out.end(), merged.begin(), merged.end());
}

std::vector<int> SentencePieceTokenizer::encode(std::string_view text, bool add_bos) const {
    std::vector<int> tokens;
    if (add_bos) tokens.push_back(data_.bos_id);
    encode_text(text, /*dummy_prefix=*/true, tokens);
    return tokens;
}

std::string SentencePieceTokenizer::decode(int prev_token, int token) const {
    check_id(token);
    const auto id = static_cast<std::size_t>(token);
    if (token_bytes_[id] >= 0) return std::string(1, static_cast<char>(token_bytes_[id]));
    const bool control = token == data_.bos_id || token == data_.eos_id ||
                         (!data_.types.empty() && data_.types[id] == TokenType::Control);
    if (control) return {};
    std::string text = sentencepiece_space_ ? replace_all(data_.pieces[id], kSentencePieceSpace, " ") : data_.pieces[id];
    if (prev_token == data_.bos_id && text.starts_with(' ')) text.erase(0, 1);
    return text;
}

std::string SentencePieceTokenizer::decode(const std::vector<int>& tokens) const {
    std::string text;
    // The dummy-prefix space encode() added is not part of the text.
    int prev = data_.add_space_prefix ? data_.bos_id : -1;
    for (const int token : tokens) {
        text += decode(prev, token);
        prev = token;
    }
    return text;
}

}  // namespace lpu::model
