#include "runtime/model/bpe_pre_tokenizer.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/model/byte_level.hpp"
#include "runtime/model/unicode_classes.hpp"

namespace lpu::model {
namespace {

std::vector<std::string> words(const std::string& text, PreTokenizer kind) {
    std::vector<std::string> result;
    for (const auto word : split_words(text, kind)) result.emplace_back(word);
    return result;
}

using Words = std::vector<std::string>;

}  // namespace

TEST_CASE("unicode classes: letters, numbers, whitespace and the rest", "[tokenizer][unicode]") {
    using unicode::CodePointClass;
    CHECK(unicode::class_of(U'a') == CodePointClass::Letter);
    CHECK(unicode::class_of(U'\u00E9') == CodePointClass::Letter);   // é
    CHECK(unicode::class_of(U'\u4E2D') == CodePointClass::Letter);   // 中
    CHECK(unicode::class_of(U'\u0663') == CodePointClass::Number);   // Arabic-Indic three
    CHECK(unicode::class_of(U'\u2167') == CodePointClass::Number);   // Roman numeral eight
    CHECK(unicode::class_of(U'\u3000') == CodePointClass::Whitespace);
    CHECK(unicode::class_of(U'\u0085') == CodePointClass::Whitespace);
    CHECK(unicode::class_of(U'\uFEFF') == CodePointClass::Other);    // not White_Space
    CHECK(unicode::class_of(U'\u0301') == CodePointClass::Other);    // a combining mark
    CHECK(unicode::class_of(U'\U0001F600') == CodePointClass::Other);
    CHECK(unicode::class_of(0x110000) == CodePointClass::Other);
}

TEST_CASE("byte-level alphabet: every byte a printable code point, and back", "[tokenizer][byte_level]") {
    CHECK(byte_level::encode(" ") == "\xC4\xA0");   // Ġ
    CHECK(byte_level::encode("\n") == "\xC4\x8A");  // Ċ
    CHECK(byte_level::encode("a!") == "a!");
    for (int byte = 0; byte < 256; ++byte) {
        const std::string& text = byte_level::encode_byte(static_cast<unsigned char>(byte));
        char32_t code_point = 0;
        for (const char c : text) code_point = (code_point << 6) | (static_cast<unsigned char>(c) & 0x3F);
        if (text.size() == 1) code_point = static_cast<unsigned char>(text[0]);
        if (text.size() == 2) code_point = ((static_cast<unsigned char>(text[0]) & 0x1F) << 6) | (static_cast<unsigned char>(text[1]) & 0x3F);
        CHECK(byte_level::decode_code_point(code_point) == static_cast<unsigned char>(byte));
    }
    CHECK_FALSE(byte_level::decode_code_point(U' ').has_value());
    CHECK_FALSE(byte_level::decode_code_point(0x4E2D).has_value());
}

TEST_CASE("pre-tokenizer llama-bpe: the Llama 3 split", "[tokenizer][pre_tokenizer]") {
    const auto split = [](const std::string& text) { return words(text, PreTokenizer::Llama3); };
    CHECK(split("Hello world!") == Words{"Hello", " world", "!"});
    // Contractions in any case, split off even before more letters.
    CHECK(split("I'M don't it'sup") == Words{"I", "'M", " don", "'t", " it", "'s", "up"});
    // Up to three digits per word; digits never take a leading space.
    CHECK(split("12345 x") == Words{"123", "45", " x"});
    CHECK(split("a 7") == Words{"a", " ", "7"});
    // One non-letter may lead letters; punctuation runs keep their newlines.
    CHECK(split("(hello) ...\n\nok") == Words{"(hello", ")", " ...\n\n", "ok"});
    // Whitespace: the last space before a word goes with the word; newlines end a run.
    CHECK(split("a   b") == Words{"a", "  ", " b"});
    CHECK(split("a \n \n  b") == Words{"a", " \n \n", " ", " b"});
    CHECK(split("end  ") == Words{"end", "  "});
    CHECK(split("\tx") == Words{"\tx"});
    // CJK letters form one word; emoji are "other".
    CHECK(split("\xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\x80!") ==
          Words{"\xE4\xBD\xA0\xE5\xA5\xBD", " \xF0\x9F\x98\x80!"});
    CHECK(split("") == Words{});
}

TEST_CASE("pre-tokenizer qwen2: Llama 3's split, one digit per word", "[tokenizer][pre_tokenizer]") {
    CHECK(words("x 2024!", PreTokenizer::Qwen2) == Words{"x", " ", "2", "0", "2", "4", "!"});
    CHECK(words("it's", PreTokenizer::Qwen2) == Words{"it", "'s"});
}

TEST_CASE("pre-tokenizer gpt-2: spaces lead letters, numbers and punctuation", "[tokenizer][pre_tokenizer]") {
    const auto split = [](const std::string& text) { return words(text, PreTokenizer::Gpt2); };
    CHECK(split("Hello world 12345!!") == Words{"Hello", " world", " 12345", "!!"});
    CHECK(split("I'M it's") == Words{"I", "'", "M", " it", "'s"});  // contractions are lower-case only
    // \s+(?!\S): before a word the last whitespace character is left over, even a newline.
    CHECK(split("a   b\n\nc") == Words{"a", "  ", " b", "\n", "\n", "c"});
    CHECK(split("x  ") == Words{"x", "  "});
}

TEST_CASE("pre-tokenizers keep invalid UTF-8 bytes, each a word part of its own class", "[tokenizer][pre_tokenizer]") {
    const std::string text = "ab\xFF\xFE cd\xC3";
    for (const auto kind : {PreTokenizer::Gpt2, PreTokenizer::Llama3, PreTokenizer::Qwen2}) {
        std::string joined;
        for (const auto& word : words(text, kind)) joined += word;
        CHECK(joined == text);
    }
}

TEST_CASE("pre-tokenizer names are llama.cpp's", "[tokenizer][pre_tokenizer]") {
    CHECK(pre_tokenizer_named("llama-bpe") == PreTokenizer::Llama3);
    CHECK(pre_tokenizer_named("llama3") == PreTokenizer::Llama3);
    CHECK(pre_tokenizer_named("qwen2") == PreTokenizer::Qwen2);
    CHECK(pre_tokenizer_named("gpt-2") == PreTokenizer::Gpt2);
    CHECK_FALSE(pre_tokenizer_named("gpt2").has_value());
    CHECK_FALSE(pre_tokenizer_named("tekken").has_value());
}

}  // namespace lpu::model
