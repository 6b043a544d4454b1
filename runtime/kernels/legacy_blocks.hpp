#pragma once
// The legacy block family of GGML: blocks of 32 values sharing an F16 scale
// (and, for the _1 types, an F16 minimum). Layouts are GGML's, byte for byte:
//
//   Q8_0  scale, 32 int8 quants                          w = scale * q
//   Q4_0  scale, 16 bytes of nibbles                     w = scale * (q - 8)
//   Q4_1  scale, min, 16 bytes of nibbles                w = scale * q + min
//   Q5_0  scale, 4 bytes of high bits, 16 of nibbles     w = scale * (q - 16)
//   Q5_1  scale, min, 4 bytes of high bits, 16 nibbles   w = scale * q + min
//
// Value j < 16 of a block is the low nibble of byte j, value j + 16 its high
// nibble; for the 5-bit types bit 4 of value j is bit j of the little-endian
// 32-bit word of high bits. Dequantisation computes exactly GGML's float
// expression (one product, plus one sum for the _1 types), so it is bit-exact.
//
// Dot products multiply a weight row by activations quantised to 8-bit blocks
// as GGML's CPU backend does: Q8_0 blocks for Q8_0, Q4_0 and Q5_0, Q8_1 blocks
// (Q8_0 plus s, the F16 of d_x times the sum of the quants) for the _1 types.
// With exact integer sums inside a block, per block b the partial
//   Q8_0, Q4_0, Q5_0:  p = (d_w * d_x) * float(sum (q_w - offset) * q_x)
//   Q4_1, Q5_1:        p = (d_w * d_x) * float(sum q_w * q_x) + m_w * s_x
// (d_x the activation block's F16 scale as a float) goes into lane b % 8 of the
// block-lane accumulator (dot.hpp). Every build (portable, AVX2, VNNI) computes
// these same integers and float operations, so all give identical bits.
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/dtype.hpp"

namespace lpu::kernels {

struct BlockQ8_0 {
    std::uint16_t scale_f16;
    std::int8_t quants[kQ8BlockElements];
};
struct BlockQ4_0 {
    std::uint16_t scale_f16;
    std::uint8_t nibbles[16];
};
struct BlockQ4_1 {
    std::uint16_t scale_f16;
    std::uint16_t min_f16;
    std::uint8_t nibbles[16];
};
struct BlockQ5_0 {
    std::uint16_t scale_f16;
    std::uint8_t high_bits[4];
    std::uint8_t nibbles[16];
};
struct BlockQ5_1 {
    std::uint16_t scale_f16;
    std::uint16_t min_f16;
    std::uint8_t high_bits[4];
    std::uint8_t nibbles[16];
};
// Activations for Q4_1 and Q5_1: a Q8_0 block and s = d * sum of its quants.
struct BlockQ8_1 {
    std::uint16_t scale_f16;
    std::uint16_t sum_f16;
    std::int8_t quants[kQ8BlockElements];
};
static_assert(sizeof(BlockQ8_0) == block_shape(DType::Q8_0).bytes);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ4_0) == block_shape(DType::Q4_0).bytes);
static_assert(sizeof(BlockQ4_1) == block_shape(DType::Q4_1).bytes);
static_assert(sizeof(BlockQ5_0) == block_shape(DType::Q5_0).bytes);
static_assert(sizeof(BlockQ5_1) == block_shape(DType::Q5_1).bytes);

// Dequantisers: n values (a multiple of 32) stored at `row` (any alignment) into `out`.
void dequantize_q8_0(const std::byte* row, std::int64_t n, float* out);
void dequantize_q4_0(const std::byte* row, std::int64_t n, float* out);
void dequantize_q4_1(const std::byte* row, std::int64_t n, float* out);
void dequantize_q5_0(const std::byte* row, std::int64_t n, float* out);
void dequantize_q5_1(const std::byte* row, std::int64_t n, float* out);

// Quantisers with GGML's reference rounding, so the files we write hold what
// llama-quantize writes for the same floats. n is a multiple of 32; `out`
// receives n / 32 blocks.
//   Q8_0: scale = max|x| / 127, q = round(x / scale) (half away from zero).
//   Q4_0 / Q5_0: scale = x_maxabs / -8 (/ -16), the signed value of largest
//     magnitude mapping to the lowest quant; q = min(top, trunc(x / scale + offset + 0.5)).
//   Q4_1 / Q5_1: scale = (max - min) / 15 (/ 31), q = trunc((x - min) / scale + 0.5).
void quantize_q8_0(const float* x, std::int64_t n, std::byte* out);
void quantize_q4_0(const float* x, std::int64_t n, std::byte* out);
void quantize_q4_1(const float* x, std::int64_t n, std::byte* out);
void quantize_q5_0(const float* x, std::int64_t n, std::byte* out);
void quantize_q5_1(const float* x, std::int64_t n, std::byte* out);

// Activations for this family, as GGML's x86 CPU backend quantises them (not
// quite its reference quantiser): d = max|x| / 127 stored as F16, q =
// round(x * (127 / max|x|)) with ties to even; Q8_1 adds s = F16(d * sum q).
// A block holding a non-finite value gets a NaN scale (so the dot products it
// meets are NaN, as F32 arithmetic would give) instead of an error.
void quantize_activations_q8_0(const float* x, std::int64_t n, BlockQ8_0* out);
void quantize_activations_q8_1(const float* x, std::int64_t n, BlockQ8_1* out);

// The portable reference dot products: row of n values (a multiple of 32) times
// n / 32 activation blocks (Q8_1 for the _1 types).
float dot_q8_0_q8_0_portable(const std::byte* row, const BlockQ8_0* x, std::int64_t n);
float dot_q4_0_q8_0_portable(const std::byte* row, const BlockQ8_0* x, std::int64_t n);
float dot_q4_1_q8_1_portable(const std::byte* row, const BlockQ8_1* x, std::int64_t n);
float dot_q5_0_q8_0_portable(const std::byte* row, const BlockQ8_0* x, std::int64_t n);
float dot_q5_1_q8_1_portable(const std::byte* row, const BlockQ8_1* x, std::int64_t n);

}  // namespace lpu::kernels
