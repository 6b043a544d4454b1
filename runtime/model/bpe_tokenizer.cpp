#include "runtime/model/bpe_tokenizer.hpp"

#include <cstdio>
#include <queue>

#include "base/error.hpp"
#include "base/utf8.hpp"
#include "runtime/model/byte_level.hpp"

namespace lpu::model {
namespace {

bool decodes_to_bytes(TokenType type) { return type == TokenType::Normal || type == TokenType::Byte; }

// The bytes a token's text stands for in the byte alphabet. A character outside
// the alphabet (not found in byte-level vocabularies) is kept as its UTF-8.
std::string alphabet_to_bytes(std::string_view text) {
    std::string bytes;
    for (std::size_t offset = 0; offset < text.size();) {
        const Utf8CodePoint code_point = decode_utf8(text, offset);
        const auto byte = code_point.valid ? byte_level::decode_code_point(code_point.value) : std::nullopt;
        if (byte) {
            bytes.push_back(static_cast<char>(*byte));
        } else {
            bytes.append(text.substr(offset, code_point.length));
        }
        offset += code_point.length;
    }
    return bytes;
}

// Built by appending: GCC 12 warns (wrongly) about "'" + std::string(...).
std::string quoted(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('\'');
    out.append(text);
    out.push_back('\'');
    return out;
}

}  // namespace

BpeTokenizer::BpeTokenizer(const TokenizerData& data) {
    const auto pre = pre_tokenizer_named(data.pre_tokenizer);
    require(pre.has_value(), "tokenizer: unknown pre-tokenizer " + quoted(data.pre_tokenizer) + " (known: " +
                                 known_pre_tokenizer_names() + ")");
    pre_ = *pre;
    whole_words_first_ = pre_ == PreTokenizer::Llama3;

    const std::size_t n = data.pieces.size();
    ids_.reserve(n);
    token_bytes_.resize(n);
    for (std::size_t id = 0; id < n; ++id) {
        ids_[data.pieces[id]] = static_cast<int>(id);
        const TokenType type = data.types.empty() ? TokenType::Normal : data.types[id];
        if (decodes_to_bytes(type)) token_bytes_[id] = alphabet_to_bytes(data.pieces[id]);
    }
    const auto id_of = [&](const std::string& text) {
        const auto found = ids_.find(text);
        return found == ids_.end() ? -1 : found->second;
    };
    for (unsigned byte = 0; byte < 256; ++byte) {
        byte_ids_[byte] = id_of(byte_level::encode_byte(static_cast<unsigned char>(byte)));
        require(byte_ids_[byte] >= 0, [&] {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", byte);
            return std::string("tokenizer: the byte-level vocabulary has no token for byte ") + hex + " (" +
                   quoted(byte_level::encode_byte(static_cast<unsigned char>(byte))) + ")";
        });
    }

    merges_.reserve(data.merges.size());
    for (std::size_t rank = 0; rank < data.merges.size(); ++rank) {
        const std::string& merge = data.merges[rank];
        const auto where = [&] { return "tokenizer: merges[" + std::to_string(rank) + "] " + quoted(merge); };
        // The separator is the first space after the first character: a part may
        // not be empty, and no token of the byte alphabet contains a plain space.
        const std::size_t space = merge.find(' ', 1);
        require(space != std::string::npos && space + 1 < merge.size(),
                [&] { return where() + " is not two tokens separated by a space"; });
        const std::string left = merge.substr(0, space), right = merge.substr(space + 1);
        const int left_id = id_of(left), right_id = id_of(right), merged_id = id_of(left + right);
        require(left_id >= 0, [&] { return where() + " names " + quoted(left) + ", which is not in the vocabulary"; });
        require(right_id >= 0, [&] { return where() + " names " + quoted(right) + ", which is not in the vocabulary"; });
        require(merged_id >= 0, [&] {
            return where() + " makes " + quoted(left + right) + ", which is not in the vocabulary";
        });
        // A pair listed twice keeps its first (highest-priority) rank, as llama.cpp does.
        merges_.emplace(pair_key(left_id, right_id), Merge{static_cast<std::int32_t>(rank), merged_id});
    }
}

void BpeTokenizer::encode_text(std::string_view text, std::vector<int>& out) const {
    for (const std::string_view word : split_words(text, pre_)) encode_word(word, out);
}

// Symbols are token ids in a linked list; candidate merges wait in a heap
// ordered by (rank, position of the left symbol). A candidate whose symbols have
// changed since it was queued is stale and skipped when it comes up.
void BpeTokenizer::encode_word(std::string_view word, std::vector<int>& out) const {
    if (whole_words_first_) {
        if (const auto found = ids_.find(byte_level::encode(word)); found != ids_.end()) {
            out.push_back(found->second);
            return;
        }
    }
    const int n = static_cast<int>(word.size());
    std::vector<int> symbols(word.size()), next(word.size()), prev(word.size());
    for (int i = 0; i < n; ++i) {
        symbols[static_cast<std::size_t>(i)] = byte_ids_[static_cast<unsigned char>(word[static_cast<std::size_t>(i)])];
        next[static_cast<std::size_t>(i)] = i + 1 < n ? i + 1 : -1;
        prev[static_cast<std::size_t>(i)] = i - 1;
    }
    struct Candidate {
        std::int32_t rank;
        int left, right;
        int left_symbol, right_symbol, merged;
    };
    const auto later = [](const Candidate& a, const Candidate& b) {
        return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(later)> queue(later);
    const auto consider = [&](int left) {
        if (left < 0) return;
        const int right = next[static_cast<std::size_t>(left)];
        if (right < 0) return;
        const int a = symbols[static_cast<std::size_t>(left)], b = symbols[static_cast<std::size_t>(right)];
        const auto found = merges_.find(pair_key(a, b));
        if (found != merges_.end()) queue.push({found->second.rank, left, right, a, b, found->second.merged});
    };
    for (int i = 0; i + 1 < n; ++i) consider(i);

    constexpr int kMergedAway = -1;
    while (!queue.empty()) {
        const Candidate best = queue.top();
        queue.pop();
        const auto left = static_cast<std::size_t>(best.left), right = static_cast<std::size_t>(best.right);
        if (next[left] != best.right || symbols[left] != best.left_symbol || symbols[right] != best.right_symbol) {
            continue;
        }
        symbols[left] = best.merged;
        symbols[right] = kMergedAway;
        next[left] = next[right];
        if (next[left] >= 0) prev[static_cast<std::size_t>(next[left])] = best.left;
        consider(prev[left]);
        consider(best.left);
    }
    for (int i = 0; i >= 0 && i < n; i = next[static_cast<std::size_t>(i)]) out.push_back(symbols[static_cast<std::size_t>(i)]);
}

}  // namespace lpu::model
