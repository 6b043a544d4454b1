#include "runtime/model/byte_level.hpp"

#include <array>

#include "base/utf8.hpp"

namespace lpu::model::byte_level {
namespace {

bool stands_for_itself(unsigned byte) {
    return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

std::array<char32_t, 256> byte_code_points() {
    std::array<char32_t, 256> code_points{};
    char32_t next_extra = 0x100;
    for (unsigned byte = 0; byte < 256; ++byte) code_points[byte] = stands_for_itself(byte) ? byte : next_extra++;
    return code_points;
}

const std::array<char32_t, 256>& code_points() {
    static const std::array<char32_t, 256> table = byte_code_points();
    return table;
}

std::array<std::string, 256> byte_texts() {
    std::array<std::string, 256> texts;
    for (unsigned byte = 0; byte < 256; ++byte) append_utf8(texts[byte], code_points()[byte]);
    return texts;
}

}  // namespace

const std::string& encode_byte(unsigned char byte) {
    static const std::array<std::string, 256> texts = byte_texts();
    return texts[byte];
}

std::string encode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) out += encode_byte(static_cast<unsigned char>(c));
    return out;
}

std::optional<unsigned char> decode_code_point(char32_t code_point) {
    // Every code point of the alphabet is below U+0144 (the last remapped byte).
    static const std::array<int, 0x144> bytes = [] {
        std::array<int, 0x144> table;
        table.fill(-1);
        for (unsigned byte = 0; byte < 256; ++byte) table[code_points()[byte]] = static_cast<int>(byte);
        return table;
    }();
    if (code_point >= bytes.size() || bytes[code_point] < 0) return std::nullopt;
    return static_cast<unsigned char>(bytes[code_point]);
}

}  // namespace lpu::model::byte_level
