#include "runtime/model/bpe_pre_tokenizer.hpp"

#include <array>
#include <cstddef>

#include "base/utf8.hpp"
#include "runtime/model/unicode_classes.hpp"

namespace lpu::model {
namespace {

using unicode::CodePointClass;

struct Alias {
    std::string_view name;
    PreTokenizer kind;
};
constexpr std::array kAliases{
    Alias{"gpt-2", PreTokenizer::Gpt2},      Alias{"llama-bpe", PreTokenizer::Llama3},
    Alias{"llama3", PreTokenizer::Llama3},   Alias{"llama-v3", PreTokenizer::Llama3},
    Alias{"qwen2", PreTokenizer::Qwen2},     Alias{"deepseek-r1-qwen", PreTokenizer::Qwen2},
};

// The text as code points, each with its class and where its bytes start.
class CodePoints {
public:
    explicit CodePoints(std::string_view text) : text_(text) {
        for (std::size_t offset = 0; offset < text.size();) {
            const Utf8CodePoint decoded = decode_utf8(text, offset);
            // An invalid byte keeps its place as a code point of class Other.
            points_.push_back({decoded.valid ? decoded.value : 0xFFFD,
                               decoded.valid ? unicode::class_of(decoded.value) : CodePointClass::Other, offset});
            offset += decoded.length;
        }
    }

    std::size_t size() const { return points_.size(); }
    // The code point at i, or 0 past the end (no rule looks for U+0000).
    char32_t at(std::size_t i) const { return i < size() ? points_[i].value : 0; }
    bool is(std::size_t i, CodePointClass c) const { return i < size() && points_[i].code_point_class == c; }
    bool is_newline(std::size_t i) const { return at(i) == '\r' || at(i) == '\n'; }
    std::size_t byte_offset(std::size_t i) const { return i < size() ? points_[i].offset : text_.size(); }

private:
    struct Point {
        char32_t value;
        CodePointClass code_point_class;
        std::size_t offset;
    };
    std::string_view text_;
    std::vector<Point> points_;
};

char32_t ascii_lower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

// The length of the contraction ('s 't 're 've 'm 'll 'd) starting at pos, or 0.
std::size_t contraction_length(const CodePoints& text, std::size_t pos, bool any_case) {
    if (text.at(pos) != '\'' || pos + 1 >= text.size()) return 0;
    const auto fold = [&](char32_t c) { return any_case ? ascii_lower(c) : c; };
    const char32_t first = fold(text.at(pos + 1));
    if (first == 's' || first == 't' || first == 'm' || first == 'd') return 2;
    if (pos + 2 >= text.size()) return 0;
    const char32_t second = fold(text.at(pos + 2));
    const bool pair = (first == 'r' && second == 'e') || (first == 'v' && second == 'e') || (first == 'l' && second == 'l');
    return pair ? 3 : 0;
}

// Builds the word list: each call to end_word_at closes the word that started
// where the previous one ended.
class WordCutter {
public:
    explicit WordCutter(std::string_view text, const CodePoints& points) : text_(text), points_(points) {}

    void end_word_at(std::size_t pos) {
        const std::size_t begin = points_.byte_offset(start_), end = points_.byte_offset(pos);
        if (end > begin) words_.push_back(text_.substr(begin, end - begin));
        start_ = pos;
    }
    std::vector<std::string_view> take() { return std::move(words_); }

private:
    std::string_view text_;
    const CodePoints& points_;
    std::size_t start_ = 0;
    std::vector<std::string_view> words_;
};

std::size_t skip(const CodePoints& text, std::size_t pos, CodePointClass c) {
    while (text.is(pos, c)) ++pos;
    return pos;
}

// \s+(?!\S)|\s+ : a run of whitespace, except that before a non-space the
// last whitespace character is left to start the next word.
std::size_t whitespace_run_end(const CodePoints& text, std::size_t pos) {
    const std::size_t end = skip(text, pos, CodePointClass::Whitespace);
    if (end - pos > 1 && end < text.size()) return end - 1;
    return end > pos ? end : pos + 1;
}

std::vector<std::string_view> split_gpt2(std::string_view raw) {
    const CodePoints text(raw);
    WordCutter words(raw, text);
    for (std::size_t pos = 0; pos < text.size();) {
        if (const std::size_t length = contraction_length(text, pos, /*any_case=*/false)) {
            pos += length;
        } else {
            // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional space, then a run of one class.
            const std::size_t run = text.at(pos) == ' ' ? pos + 1 : pos;
            if (text.is(run, CodePointClass::Letter) || text.is(run, CodePointClass::Number) ||
                text.is(run, CodePointClass::Other)) {
                const CodePointClass c = text.is(run, CodePointClass::Letter)   ? CodePointClass::Letter
                                         : text.is(run, CodePointClass::Number) ? CodePointClass::Number
                                                                                : CodePointClass::Other;
                pos = skip(text, run, c);
            } else {
                pos = whitespace_run_end(text, pos);
            }
        }
        words.end_word_at(pos);
    }
    return words.take();
}

// Llama 3 and Qwen2 differ only in how many digits one word takes.
std::vector<std::string_view> split_llama3_family(std::string_view raw, std::size_t max_digits) {
    const CodePoints text(raw);
    WordCutter words(raw, text);
    for (std::size_t pos = 0; pos < text.size();) {
        const char32_t c = text.at(pos);
        if (const std::size_t length = contraction_length(text, pos, /*any_case=*/true)) {
            pos += length;
            words.end_word_at(pos);
            continue;
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+ : letters, after at most one character that is
        // neither a newline nor a number (a space, punctuation, ...).
        const bool may_lead = !text.is_newline(pos) && !text.is(pos, CodePointClass::Number);
        if (may_lead && (text.is(pos, CodePointClass::Letter) || text.is(pos + 1, CodePointClass::Letter))) {
            pos = skip(text, pos + 1, CodePointClass::Letter);
            words.end_word_at(pos);
            continue;
        }
        // \p{N}{1,max}: a run of digits, max_digits per word.
        if (text.is(pos, CodePointClass::Number)) {
            const std::size_t end = skip(text, pos, CodePointClass::Number);
            while (pos < end) {
                pos = std::min(end, pos + max_digits);
                words.end_word_at(pos);
            }
            continue;
        }
        // " ?[^\s\p{L}\p{N}]+[\r\n]*": punctuation and symbols, then any newlines.
        const std::size_t run = c == ' ' ? pos + 1 : pos;
        if (text.is(run, CodePointClass::Other)) {
            pos = skip(text, run, CodePointClass::Other);
            while (text.is_newline(pos)) ++pos;
            words.end_word_at(pos);
            continue;
        }
        // \s*[\r\n]+ : whitespace up to and including its last newline.
        std::size_t after_last_newline = 0;
        const std::size_t end = skip(text, pos, CodePointClass::Whitespace);
        for (std::size_t i = pos; i < end; ++i) {
            if (text.is_newline(i)) after_last_newline = i + 1;
        }
        pos = after_last_newline > 0 ? after_last_newline : whitespace_run_end(text, pos);
        words.end_word_at(pos);
    }
    return words.take();
}

}  // namespace

std::optional<PreTokenizer> pre_tokenizer_named(std::string_view name) {
    for (const auto& alias : kAliases) {
        if (alias.name == name) return alias.kind;
    }
    return std::nullopt;
}

std::string pre_tokenizer_name(PreTokenizer kind) {
    switch (kind) {
        case PreTokenizer::Gpt2: return "gpt-2";
        case PreTokenizer::Llama3: return "llama-bpe";
        case PreTokenizer::Qwen2: return "qwen2";
    }
    return "unknown";
}

std::string known_pre_tokenizer_names() {
    return "gpt-2, llama-bpe (also llama3, llama-v3), qwen2 (also deepseek-r1-qwen)";
}

std::vector<std::string_view> split_words(std::string_view text, PreTokenizer kind) {
    switch (kind) {
        case PreTokenizer::Gpt2: return split_gpt2(text);
        case PreTokenizer::Llama3: return split_llama3_family(text, 3);
        case PreTokenizer::Qwen2: return split_llama3_family(text, 1);
    }
    return {};
}

}  // namespace lpu::model
