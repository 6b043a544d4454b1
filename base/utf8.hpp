#pragma once
// UTF-8 as text outputs need it. Model output is bytes: a byte-level vocabulary
// can produce any byte sequence, and a stream can stop halfway through a
// character. JSON (and terminals) need valid UTF-8, so every --json output passes
// its text through valid_utf8(), which keeps valid sequences as they are and
// replaces each invalid part with U+FFFD, as the Unicode standard recommends
// (one replacement per maximal invalid subpart, the same count browsers and
// Python's errors="replace" produce). Ids stay exact elsewhere; the flag says
// whether the text shown is a lossy view of the bytes.
#include <cstddef>
#include <string>
#include <string_view>

namespace lpu {

// One code point read from UTF-8.
struct Utf8CodePoint {
    char32_t value = 0;       // U+FFFD when !valid
    std::size_t length = 1;   // bytes consumed, >= 1 (the maximal invalid subpart when !valid)
    bool valid = false;
};

// Decodes the code point starting at text[offset] (offset < text.size()).
// Strict: overlong forms, surrogates and values above U+10FFFF are invalid.
Utf8CodePoint decode_utf8(std::string_view text, std::size_t offset);

struct ValidUtf8 {
    std::string text;
    bool replaced = false;  // some invalid bytes became U+FFFD
};

// `bytes` with every invalid part replaced by U+FFFD ("\xEF\xBF\xBD").
ValidUtf8 valid_utf8(std::string_view bytes);

bool is_valid_utf8(std::string_view bytes);

// Bytes that come in pieces (a stream of tokens) as valid UTF-8 pieces: a
// character cut between two pieces is held back until it is whole (valid_utf8
// on each piece would turn both halves into U+FFFD); every other invalid part
// becomes U+FFFD as in valid_utf8.
class Utf8Stream {
public:
    // The text up to the end of the last whole character of what was held back
    // plus `bytes`; may be empty.
    std::string append(std::string_view bytes);
    // What is still held back, at the end of the stream (a cut character: U+FFFD).
    std::string flush();

private:
    std::string held_;  // the start of a character, at most 3 bytes
};

// Appends the UTF-8 encoding of a code point (at most U+10FFFF, not a surrogate).
void append_utf8(std::string& out, char32_t code_point);

}  // namespace lpu
