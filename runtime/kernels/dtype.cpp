#include "runtime/kernels/dtype.hpp"

#include <cctype>

namespace lpu::kernels {

std::string dtype_name(DType type) {
    switch (type) {
        case DType::F32: return "F32";
        case DType::F16: return "F16";
        case DType::BF16: return "BF16";
        case DType::Q8_0: return "Q8_0";
        case DType::Q4_0: return "Q4_0";
        case DType::Q4_1: return "Q4_1";
        case DType::Q5_0: return "Q5_0";
        case DType::Q5_1: return "Q5_1";
        case DType::Q2_K: return "Q2_K";
        case DType::Q3_K: return "Q3_K";
        case DType::Q4_K: return "Q4_K";
        case DType::Q5_K: return "Q5_K";
        case DType::Q6_K: return "Q6_K";
        case DType::F8_E4M3: return "F8_E4M3";
    }
    return "DType(" + std::to_string(static_cast<int>(type)) + ")";
}

std::optional<DType> dtype_from_name(std::string_view name) {
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const DType type : kFileDTypes) {
        if (dtype_name(type) == upper) return type;
    }
    return std::nullopt;
}

float f16_to_f32(std::uint16_t half) {
    const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1fu;
    const std::uint32_t mantissa = half & 0x3ffu;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24, exact in float.
        const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) {
        // Inf or NaN; the payload is kept bit for bit so halves round-trip.
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    }
    return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

namespace {

// Shifts `value` right by `shift` bits, rounding to nearest, ties to even.
std::uint32_t shift_right_round_even(std::uint32_t value, unsigned shift) {
    const std::uint32_t kept = value >> shift;
    const std::uint32_t remainder = value & ((1u << shift) - 1u);
    const std::uint32_t halfway = 1u << (shift - 1);
    const bool round_up = remainder > halfway || (remainder == halfway && (kept & 1u));
    return kept + (round_up ? 1u : 0u);
}

}  // namespace

std::uint16_t f32_to_f16(float value) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
    const std::uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) {
        // NaN: keep the top payload bits; a payload that would vanish becomes quiet.
        std::uint32_t payload = (magnitude >> 13) & 0x3ffu;
        if (payload == 0) payload = 0x200u;
        return static_cast<std::uint16_t>(sign | 0x7c00u | payload);
    }
    // 65520 is halfway between the largest half (65504) and 65536; ties go to
    // the even neighbour, which is infinity.
    if (magnitude >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (magnitude >= 0x38800000u) {
        // Normal half: rebias the exponent (127 -> 15) and round the mantissa;
        // a carry out of the mantissa correctly bumps the exponent.
        return static_cast<std::uint16_t>(sign | shift_right_round_even(magnitude - 0x38000000u, 13));
    }
    // Subnormal half (or zero): value / 2^-24 = significand * 2^(exponent - 126).
    const std::uint32_t exponent = magnitude >> 23;
    const unsigned shift = 126u - exponent;  // >= 14 here
    if (shift > 24) return sign;             // below a quarter of the smallest subnormal
    const std::uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
    return static_cast<std::uint16_t>(sign | shift_right_round_even(significand, shift));
}

std::uint16_t f32_to_bf16(float value) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return static_cast<std::uint16_t>((bits >> 16) | 0x40u);  // NaN stays NaN (quiet)
    }
    return static_cast<std::uint16_t>(shift_right_round_even(bits, 16) & 0xffffu);
}

}  // namespace lpu::kernels
