#include "base/utf8.hpp"

namespace lpu {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

// The valid ranges of the second byte depend on the first (Unicode table 3-7):
// that is what rules out overlong forms, surrogates and values past U+10FFFF
// without decoding first.
Utf8CodePoint decode_utf8(std::string_view text, std::size_t offset) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[offset + i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return {lead, 1, true};

    std::size_t length = 0;
    unsigned char second_min = 0x80, second_max = 0xBF;
    char32_t value = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        value = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        value = lead & 0x0F;
        if (lead == 0xE0) second_min = 0xA0;  // no overlong forms
        if (lead == 0xED) second_max = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        value = lead & 0x07;
        if (lead == 0xF0) second_min = 0x90;  // no overlong forms
        if (lead == 0xF4) second_max = 0x8F;  // nothing past U+10FFFF
    } else {
        return {kReplacement, 1, false};  // a continuation byte, C0, C1 or F5..FF
    }
    for (std::size_t i = 1; i < length; ++i) {
        const bool in_range = offset + i < text.size() &&
                              (i == 1 ? byte(i) >= second_min && byte(i) <= second_max : is_continuation(byte(i)));
        if (!in_range) return {kReplacement, i, false};  // the maximal invalid subpart ends here
        value = (value << 6) | (byte(i) & 0x3F);
    }
    return {value, length, true};
}

ValidUtf8 valid_utf8(std::string_view bytes) {
    ValidUtf8 result;
    result.text.reserve(bytes.size());
    for (std::size_t offset = 0; offset < bytes.size();) {
        const Utf8CodePoint code_point = decode_utf8(bytes, offset);
        if (code_point.valid) {
            result.text.append(bytes.substr(offset, code_point.length));
        } else {
            append_utf8(result.text, kReplacement);
            result.replaced = true;
        }
        offset += code_point.length;
    }
    return result;
}

bool is_valid_utf8(std::string_view bytes) {
    for (std::size_t offset = 0; offset < bytes.size();) {
        const Utf8CodePoint code_point = decode_utf8(bytes, offset);
        if (!code_point.valid) return false;
        offset += code_point.length;
    }
    return true;
}

std::string Utf8Stream::append(std::string_view bytes) {
    held_.append(bytes);
    // The last character is cut when it starts with a lead byte and the text
    // ends before it does: decoding it fails right at the end.
    std::size_t whole = held_.size();
    for (std::size_t back = 1; back <= 3 && back <= held_.size(); ++back) {
        const std::size_t offset = held_.size() - back;
        const auto lead = static_cast<unsigned char>(held_[offset]);
        if (is_continuation(lead)) continue;
        const Utf8CodePoint code_point = decode_utf8(held_, offset);
        if (lead >= 0xC2 && lead <= 0xF4 && !code_point.valid && offset + code_point.length == held_.size()) {
            whole = offset;
        }
        break;
    }
    std::string out = valid_utf8(std::string_view(held_).substr(0, whole)).text;
    held_.erase(0, whole);
    return out;
}

std::string Utf8Stream::flush() {
    std::string out = valid_utf8(held_).text;
    held_.clear();
    return out;
}

void append_utf8(std::string& out, char32_t code_point) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

}  // namespace lpu
