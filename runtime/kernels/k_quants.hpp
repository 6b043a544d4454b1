#pragma once
// The K-quant family of GGML: super-blocks of 256 values split into sub-blocks
// of 16 or 32, each sub-block with its own small integer scale (and, for the
// types with a minimum, its own integer minimum) relative to the super-block's
// F16 scale (and F16 minimum). Layouts are GGML's, byte for byte:
//
//   Q2_K  16 sub-blocks of 16: 4-bit scale | 4-bit min per sub-block, 2-bit quants
//         w = d * scale * q - dmin * min
//   Q3_K  16 sub-blocks of 16: 6-bit scales (offset 32), 2-bit quants + a high-bit mask
//         w = d * (scale - 32) * (q - 4), q in 0..7
//   Q4_K  8 sub-blocks of 32: 6-bit scales and mins, 4-bit quants
//         w = d * scale * q - dmin * min
//   Q5_K  as Q4_K with a fifth quant bit in qh
//   Q6_K  16 sub-blocks of 16: int8 scales, 4-bit low + 2-bit high quants
//         w = d * scale * (q - 32)
//
// Value order inside a super-block follows GGML's dequantisers, documented
// beside each one in k_quants.cpp; dequantisation evaluates GGML's float
// expressions in GGML's order, so it is bit-exact.
//
// Dot products take activations quantised to Q8_K super-blocks (a float scale,
// 256 int8 quants and the 16 sums of each run of 16 quants, as GGML does).
// Per super-block b, with exact integer sums over its sub-blocks j,
//   isum = sum_j scale_j * sum_{i in j} q_i * qx_i      (Q3_K: scale_j - 32 and q - 4;
//                                                        Q6_K: q - 32)
//   imin = sum_j min_j * sum_{i in j} qx_i              (Q2_K, Q4_K, Q5_K)
//   p    = (d * dx) * float(isum) - (dmin * dx) * float(imin)
// and p goes into lane b % 8 of the block-lane accumulator (dot.hpp). Every
// build computes the same integers and float steps, so all give identical bits.
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/dtype.hpp"

namespace lpu::kernels {

inline constexpr int kSuperBlock = static_cast<int>(kSuperBlockElements);

struct BlockQ2_K {
    std::uint8_t scales[16];  // low nibble: scale, high nibble: min, per 16 values
    std::uint8_t quants[64];  // 2 bits per value
    std::uint16_t d_f16;
    std::uint16_t dmin_f16;
};
struct BlockQ3_K {
    std::uint8_t high_mask[32];  // bit 2 of each quant
    std::uint8_t quants[64];     // bits 0-1 of each quant
    std::uint8_t scales[12];     // 16 six-bit scales
    std::uint16_t d_f16;
};
struct BlockQ4_K {
    std::uint16_t d_f16;
    std::uint16_t dmin_f16;
    std::uint8_t scales[12];   // 8 six-bit scales and 8 six-bit mins
    std::uint8_t quants[128];  // 4 bits per value
};
struct BlockQ5_K {
    std::uint16_t d_f16;
    std::uint16_t dmin_f16;
    std::uint8_t scales[12];
    std::uint8_t high_bits[32];  // bit 4 of each quant
    std::uint8_t quants[128];    // bits 0-3 of each quant
};
struct BlockQ6_K {
    std::uint8_t low[128];   // bits 0-3 of each quant
    std::uint8_t high[64];   // bits 4-5 of each quant
    std::int8_t scales[16];  // per 16 values
    std::uint16_t d_f16;
};
// Activations: scale d (a float), 256 quants, and the sum of each run of 16.
struct BlockQ8_K {
    float d;
    std::int8_t quants[kSuperBlockElements];
    std::int16_t sums[16];
};
static_assert(sizeof(BlockQ2_K) == block_shape(DType::Q2_K).bytes);
static_assert(sizeof(BlockQ3_K) == block_shape(DType::Q3_K).bytes);
static_assert(sizeof(BlockQ4_K) == block_shape(DType::Q4_K).bytes);
static_assert(sizeof(BlockQ5_K) == block_shape(DType::Q5_K).bytes);
static_assert(sizeof(BlockQ6_K) == block_shape(DType::Q6_K).bytes);
static_assert(sizeof(BlockQ8_K) == 292);

// The six-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block.
struct ScaleMin {
    int scale;
    int min;
};
ScaleMin q4k_scale_min(const std::uint8_t* scales, int j);
// The six-bit scale of sub-block j (0..15) of a Q3_K super-block, offset included (0..63).
int q3k_scale(const std::uint8_t* scales, int j);

// Dequantisers: n values (a multiple of 256) stored at `row` (any alignment) into `out`.
void dequantize_q2_k(const std::byte* row, std::int64_t n, float* out);
void dequantize_q3_k(const std::byte* row, std::int64_t n, float* out);
void dequantize_q4_k(const std::byte* row, std::int64_t n, float* out);
void dequantize_q5_k(const std::byte* row, std::int64_t n, float* out);
void dequantize_q6_k(const std::byte* row, std::int64_t n, float* out);

// Quantisers following GGML's reference ones (no importance matrix: what
// llama-quantize does without --imatrix), deterministic. n is a multiple of
// 256; `out` receives n / 256 super-blocks. In k_quants_quantize.cpp.
void quantize_q2_k(const float* x, std::int64_t n, std::byte* out);
void quantize_q3_k(const float* x, std::int64_t n, std::byte* out);
void quantize_q4_k(const float* x, std::int64_t n, std::byte* out);
void quantize_q5_k(const float* x, std::int64_t n, std::byte* out);
void quantize_q6_k(const float* x, std::int64_t n, std::byte* out);

// Activations as GGML quantises them for K-quant dot products: per super-block
// the value of largest magnitude maps to -127 (q = nearest(-127 / max * x),
// capped at 127), d = 1 / (-127 / max). A super-block holding a non-finite
// value gets a NaN scale, so its dot products are NaN as F32 arithmetic would give.
void quantize_activations_q8_k(const float* x, std::int64_t n, BlockQ8_K* out);

// The portable reference dot products: a row of n values (a multiple of 256)
// times n / 256 activation super-blocks.
float dot_q2_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n);
float dot_q3_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n);
float dot_q4_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n);
float dot_q5_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n);
float dot_q6_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n);

// The float steps shared by every build: a super-block's partial from its
// integer sums, for the types with a minimum (Q2_K, Q4_K, Q5_K) and without.
inline float k_quant_partial(float d, float dmin, float dx, std::int32_t isum, std::int32_t imin) {
    return (d * dx) * static_cast<float>(isum) - (dmin * dx) * static_cast<float>(imin);
}
inline float k_quant_partial(float d, float dx, std::int32_t isum) { return (d * dx) * static_cast<float>(isum); }

}  // namespace lpu::kernels
