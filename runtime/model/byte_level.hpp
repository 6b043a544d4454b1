#pragma once
// GPT-2's byte-level alphabet: every byte is written as one printable code
// point, so that a vocabulary of strings can hold any byte sequence. Printable
// Latin-1 bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for
// themselves; the other 68 bytes (controls, space, U+00AD) map in order to
// U+0100, U+0101, ... (so ' ' is "Ġ" U+0120 and '\n' is "Ċ" U+010A).
#include <optional>
#include <string>
#include <string_view>

namespace lpu::model::byte_level {

// The UTF-8 text of the code point standing for `byte`.
const std::string& encode_byte(unsigned char byte);

// Every byte of `bytes` replaced by its code point.
std::string encode(std::string_view bytes);

// The byte a code point of the alphabet stands for; nullopt for any other.
std::optional<unsigned char> decode_code_point(char32_t code_point);

}  // namespace lpu::model::byte_level
