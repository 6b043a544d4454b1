#include "base/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace lpu {

TEST_CASE("utf8: valid text passes through unchanged", "[base][utf8]") {
    const std::string text = "plain, caf\xC3\xA9, \xE4\xB8\xAD\xE6\x96\x87, \xF0\x9F\x98\x80";
    const ValidUtf8 valid = valid_utf8(text);
    CHECK(valid.text == text);
    CHECK_FALSE(valid.replaced);
    CHECK(is_valid_utf8(text));
}

TEST_CASE("utf8: each maximal invalid part becomes one U+FFFD", "[base][utf8]") {
    const std::string fffd = "\xEF\xBF\xBD";
    // A character cut short: its valid prefix is one invalid part.
    CHECK(valid_utf8("ab\xE4\xB8").text == "ab" + fffd);
    CHECK(valid_utf8("\xF0\x9F\x98" "x").text == fffd + "x");
    // Lone continuation bytes and bytes that never occur: one each.
    CHECK(valid_utf8("\x80\x80").text == fffd + fffd);
    CHECK(valid_utf8("\xFF").text == fffd);
    // Overlong forms, surrogates and values past U+10FFFF are invalid from their lead byte.
    CHECK(valid_utf8("\xC0\xAF").text == fffd + fffd);
    CHECK(valid_utf8("\xE0\x80\xAF").text == fffd + fffd + fffd);
    CHECK(valid_utf8("\xED\xA0\x80").text == fffd + fffd + fffd);
    CHECK(valid_utf8("\xF4\x90\x80\x80").text == fffd + fffd + fffd + fffd);
    const ValidUtf8 valid = valid_utf8("ok\xC3");
    CHECK(valid.replaced);
    CHECK_FALSE(is_valid_utf8("ok\xC3"));
}

TEST_CASE("utf8: decoding and encoding code points", "[base][utf8]") {
    const std::string text = "\xE2\x82\xAC";  // U+20AC
    const Utf8CodePoint euro = decode_utf8(text, 0);
    CHECK(euro.valid);
    CHECK(euro.value == 0x20AC);
    CHECK(euro.length == 3);
    for (const char32_t code_point : {char32_t{0x41}, char32_t{0xE9}, char32_t{0x20AC}, char32_t{0x1F600}, char32_t{0x10FFFF}}) {
        std::string encoded;
        append_utf8(encoded, code_point);
        const Utf8CodePoint decoded = decode_utf8(encoded, 0);
        CHECK(decoded.valid);
        CHECK(decoded.value == code_point);
        CHECK(decoded.length == encoded.size());
    }
}

}  // namespace lpu

namespace lpu {

TEST_CASE("utf8: a stream holds back a character cut between pieces", "[base][utf8]") {
    const std::string fffd = "\xEF\xBF\xBD";
    Utf8Stream euro;
    CHECK(euro.append("a\xE2") == "a");
    CHECK(euro.append("\x82") == "");
    CHECK(euro.append("\xAC!") == "\xE2\x82\xAC!");
    CHECK(euro.flush() == "");

    Utf8Stream emoji;  // U+1F600, one byte at a time
    CHECK(emoji.append("\xF0").empty());
    CHECK(emoji.append("\x9F").empty());
    CHECK(emoji.append("\x98").empty());
    CHECK(emoji.append("\x80") == "\xF0\x9F\x98\x80");

    // Invalid parts are replaced at once; a cut character at the end of the stream on flush.
    Utf8Stream bad;
    CHECK(bad.append("\x80x\xE2y") == fffd + "x" + fffd + "y");
    CHECK(bad.append("z\xC3") == "z");
    CHECK(bad.flush() == fffd);
}

}  // namespace lpu
