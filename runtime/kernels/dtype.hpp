#pragma once
// Element types of weight tensors, and the scalar conversions every layer of the
// runtime agrees on. Activations are always F32; weights may be any DType.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace lpu::kernels {

// F8_E4M3 (FP8: 4 exponent bits, 3 mantissa bits, one byte per weight) exists
// for the compiler and the time model only: a chip with an FP8 matrix mode holds
// and multiplies weights in it, but the runtime has no FP8 kernels, so no model
// file or executor ever carries it (runtime/engine/executable_model.hpp refuses it).
enum class DType { F32, F16, BF16, Q8_0, F8_E4M3 };

// Q8_0: blocks of 32 weights sharing one F16 scale (GGML's layout, 34 bytes).
inline constexpr std::size_t kQ8BlockElements = 32;
struct BlockQ8_0 {
    std::uint16_t scale_f16;
    std::int8_t quants[kQ8BlockElements];
};
static_assert(sizeof(BlockQ8_0) == 34);

std::string dtype_name(DType type);

// Bytes for `elements` values of `type`. For Q8_0 `elements` must be a multiple
// of 32 (callers validate shapes first).
constexpr std::size_t dtype_bytes(DType type, std::size_t elements) {
    switch (type) {
        case DType::F32: return elements * 4;
        case DType::F16:
        case DType::BF16: return elements * 2;
        case DType::Q8_0: return elements / kQ8BlockElements * sizeof(BlockQ8_0);
        case DType::F8_E4M3: return elements;
    }
    return 0;
}

// IEEE half <-> float, exact for every half value (round to nearest even on the way in).
float f16_to_f32(std::uint16_t half);
std::uint16_t f32_to_f16(float value);

// bfloat16 is the top half of a float.
inline float bf16_to_f32(std::uint16_t bits) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}
std::uint16_t f32_to_bf16(float value);  // round to nearest even; NaN stays NaN

}  // namespace lpu::kernels
