#pragma once
// Element types of weight tensors, and the scalar conversions every layer of the
// runtime agrees on. Activations are always F32; weights may be any DType.
//
// Block-quantised types store fixed-size blocks of values (GGML's layouts):
// the legacy family (runtime/kernels/legacy_blocks.hpp: Q4_0, Q4_1, Q5_0, Q5_1,
// Q8_0, 32 values a block) and the K-quants (runtime/kernels/k_quants.hpp: Q2_K
// to Q6_K, super-blocks of 256 values). A row of such a type holds whole blocks.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace lpu::kernels {

// F8_E4M3 (FP8: 4 exponent bits, 3 mantissa bits, one byte per weight) exists
// for the compiler and the time model only: a chip with an FP8 matrix mode holds
// and multiplies weights in it, but the runtime has no FP8 kernels, so no model
// file or executor ever carries it (runtime/engine/executable_model.hpp refuses it).
enum class DType { F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, F8_E4M3 };

// Every DType a model file can hold, in the order listings show them.
inline constexpr DType kFileDTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q8_0, DType::Q4_0,
                                        DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K, DType::Q3_K,
                                        DType::Q4_K, DType::Q5_K, DType::Q6_K};

// Values per block and bytes per block; 1 value for the unblocked types.
struct BlockShape {
    std::int64_t values = 1;
    std::int64_t bytes = 4;
};

inline constexpr std::size_t kQ8BlockElements = 32;     // the legacy family's block
inline constexpr std::size_t kSuperBlockElements = 256;  // the K-quants' super-block (GGML's QK_K)

constexpr BlockShape block_shape(DType type) {
    switch (type) {
        case DType::F32: return {1, 4};
        case DType::F16:
        case DType::BF16: return {1, 2};
        case DType::F8_E4M3: return {1, 1};
        case DType::Q8_0: return {32, 34};
        case DType::Q4_0: return {32, 18};
        case DType::Q4_1: return {32, 20};
        case DType::Q5_0: return {32, 22};
        case DType::Q5_1: return {32, 24};
        case DType::Q2_K: return {256, 84};
        case DType::Q3_K: return {256, 110};
        case DType::Q4_K: return {256, 144};
        case DType::Q5_K: return {256, 176};
        case DType::Q6_K: return {256, 210};
    }
    return {};
}

constexpr bool is_block_quantized(DType type) { return block_shape(type).values > 1; }

// "F32", "Q4_K", ...: GGML's names.
std::string dtype_name(DType type);
// The type named `name` in any case ("q4_k", "Q4_K"), among kFileDTypes; nullopt otherwise.
std::optional<DType> dtype_from_name(std::string_view name);

// Bytes for `elements` values of `type`. For block types `elements` must be a
// multiple of the block (callers validate shapes first).
constexpr std::size_t dtype_bytes(DType type, std::size_t elements) {
    const BlockShape block = block_shape(type);
    return elements / static_cast<std::size_t>(block.values) * static_cast<std::size_t>(block.bytes);
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
