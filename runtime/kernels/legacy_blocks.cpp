#include "runtime/kernels/legacy_blocks.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/kernels/dot.hpp"

namespace lpu::kernels {
namespace {

constexpr std::int64_t kBlock = static_cast<std::int64_t>(kQ8BlockElements);
constexpr int kHalf = 16;

template <class Block>
Block load_block(const std::byte* row, std::int64_t index) {
    Block block;
    std::memcpy(&block, row + index * static_cast<std::int64_t>(sizeof(Block)), sizeof block);
    return block;
}

template <class Block>
void store_block(std::byte* out, std::int64_t index, const Block& block) {
    std::memcpy(out + index * static_cast<std::int64_t>(sizeof(Block)), &block, sizeof block);
}

// Value j of a block: nibble (low half of byte j, or high half of byte j - 16),
// plus, for the 5-bit types, bit j of the high-bit word as bit 4.
int nibble(const std::uint8_t* nibbles, int j) { return j < kHalf ? nibbles[j] & 0x0F : nibbles[j - kHalf] >> 4; }
int high_bit(const std::uint8_t* high_bits, int j) {
    std::uint32_t word;
    std::memcpy(&word, high_bits, sizeof word);
    return static_cast<int>((word >> j) & 1u) << 4;
}

// The value of largest magnitude, with its sign (the first one on ties).
float signed_max(const float* x) {
    float max_abs = 0.0f, max = 0.0f;
    for (int j = 0; j < kBlock; ++j) {
        if (max_abs < std::fabs(x[j])) {
            max_abs = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

void min_max(const float* x, float& min, float& max) {
    min = FLT_MAX;
    max = -FLT_MAX;
    for (int j = 0; j < kBlock; ++j) {
        min = std::min(min, x[j]);
        max = std::max(max, x[j]);
    }
}

// Packs 32 quants of 0..31 into nibbles and (for 5-bit types) high bits.
void pack_nibbles(const int* q, std::uint8_t* nibbles) {
    for (int j = 0; j < kHalf; ++j) nibbles[j] = static_cast<std::uint8_t>((q[j] & 0x0F) | ((q[j + kHalf] & 0x0F) << 4));
}
void pack_high_bits(const int* q, std::uint8_t* high_bits) {
    std::uint32_t word = 0;
    for (int j = 0; j < kBlock; ++j) word |= static_cast<std::uint32_t>((q[j] >> 4) & 1) << j;
    std::memcpy(high_bits, &word, sizeof word);
}

// Symmetric types: scale = signed max / -levels_below_zero, q = min(top, trunc(x / scale + offset + 0.5)).
template <class Block, int kOffset>
Block quantize_symmetric(const float* x) {
    const float scale = signed_max(x) / -static_cast<float>(kOffset);
    const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
    int q[kBlock];
    for (int j = 0; j < kBlock; ++j) {
        q[j] = std::min(2 * kOffset - 1, static_cast<int>(static_cast<std::int8_t>(x[j] * inverse + (kOffset + 0.5f))));
    }
    Block block{};
    block.scale_f16 = f32_to_f16(scale);
    pack_nibbles(q, block.nibbles);
    if constexpr (kOffset == 16) pack_high_bits(q, block.high_bits);
    return block;
}

// Affine types: scale = (max - min) / top, q = trunc((x - min) / scale + 0.5), capped at top.
template <class Block, int kTop>
Block quantize_affine(const float* x) {
    float min, max;
    min_max(x, min, max);
    const float scale = (max - min) / static_cast<float>(kTop);
    const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
    int q[kBlock];
    for (int j = 0; j < kBlock; ++j) {
        q[j] = std::min(kTop, static_cast<int>(static_cast<std::uint8_t>((x[j] - min) * inverse + 0.5f)));
    }
    Block block{};
    block.scale_f16 = f32_to_f16(scale);
    block.min_f16 = f32_to_f16(min);
    pack_nibbles(q, block.nibbles);
    if constexpr (kTop == 31) pack_high_bits(q, block.high_bits);
    return block;
}

template <class Block, Block (*Quantize)(const float*)>
void quantize_blocks(const float* x, std::int64_t n, std::byte* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) store_block(out, b, Quantize(x + b * kBlock));
}

// sum (q_w - offset) * q_x of one block against one activation block.
template <class Block, class Activations>
std::int32_t weighted_sum(const Block& block, const Activations& x, int offset) {
    std::int32_t sum = 0;
    for (int j = 0; j < kBlock; ++j) {
        int q = nibble(block.nibbles, j);
        if constexpr (requires { block.high_bits; }) q |= high_bit(block.high_bits, j);
        sum += (q - offset) * x.quants[j];
    }
    return sum;
}

template <class Block, int kOffset>
float dot_symmetric(const std::byte* row, const BlockQ8_0* x, std::int64_t n) {
    BlockLanes lanes;
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<Block>(row, b);
        const std::int32_t sum = weighted_sum(block, x[b], kOffset);
        lanes.add(b, (f16_to_f32(block.scale_f16) * f16_to_f32(x[b].scale_f16)) * static_cast<float>(sum));
    }
    return lanes.total();
}

template <class Block>
float dot_affine(const std::byte* row, const BlockQ8_1* x, std::int64_t n) {
    BlockLanes lanes;
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<Block>(row, b);
        const std::int32_t sum = weighted_sum(block, x[b], 0);
        lanes.add(b, (f16_to_f32(block.scale_f16) * f16_to_f32(x[b].scale_f16)) * static_cast<float>(sum) +
                         f16_to_f32(block.min_f16) * f16_to_f32(x[b].sum_f16));
    }
    return lanes.total();
}

// GGML's x86 activation quantiser for one block (see the header); returns the
// float scale d and the sum of the quants, for Q8_1.
struct ActivationBlock {
    float d = 0.0f;
    int sum = 0;
};
ActivationBlock quantize_activation_block(const float* values, std::uint16_t& scale_f16, std::int8_t* quants) {
    float max_abs = 0.0f;
    bool finite = true;
    for (int j = 0; j < kBlock; ++j) {
        finite = finite && std::isfinite(values[j]);
        max_abs = std::max(max_abs, std::fabs(values[j]));
    }
    if (!finite) {
        std::fill(quants, quants + kBlock, std::int8_t{0});
        scale_f16 = f32_to_f16(std::numeric_limits<float>::quiet_NaN());
        return {std::numeric_limits<float>::quiet_NaN(), 0};
    }
    const float d = max_abs / 127.0f;
    const float inverse = max_abs != 0.0f ? 127.0f / max_abs : 0.0f;
    scale_f16 = f32_to_f16(d);
    int sum = 0;
    for (int j = 0; j < kBlock; ++j) {
        // |x * inverse| <= 127 up to rounding; the clamp keeps the cast defined.
        quants[j] = static_cast<std::int8_t>(std::clamp(std::nearbyint(values[j] * inverse), -127.0f, 127.0f));
        sum += quants[j];
    }
    return {d, sum};
}

}  // namespace

void dequantize_q8_0(const std::byte* row, std::int64_t n, float* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<BlockQ8_0>(row, b);
        const float scale = f16_to_f32(block.scale_f16);
        for (int j = 0; j < kBlock; ++j) out[b * kBlock + j] = static_cast<float>(block.quants[j]) * scale;
    }
}

void dequantize_q4_0(const std::byte* row, std::int64_t n, float* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<BlockQ4_0>(row, b);
        const float scale = f16_to_f32(block.scale_f16);
        for (int j = 0; j < kBlock; ++j) out[b * kBlock + j] = static_cast<float>(nibble(block.nibbles, j) - 8) * scale;
    }
}

void dequantize_q4_1(const std::byte* row, std::int64_t n, float* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<BlockQ4_1>(row, b);
        const float scale = f16_to_f32(block.scale_f16), min = f16_to_f32(block.min_f16);
        for (int j = 0; j < kBlock; ++j) out[b * kBlock + j] = static_cast<float>(nibble(block.nibbles, j)) * scale + min;
    }
}

void dequantize_q5_0(const std::byte* row, std::int64_t n, float* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<BlockQ5_0>(row, b);
        const float scale = f16_to_f32(block.scale_f16);
        for (int j = 0; j < kBlock; ++j) {
            const int q = nibble(block.nibbles, j) | high_bit(block.high_bits, j);
            out[b * kBlock + j] = static_cast<float>(q - 16) * scale;
        }
    }
}

void dequantize_q5_1(const std::byte* row, std::int64_t n, float* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<BlockQ5_1>(row, b);
        const float scale = f16_to_f32(block.scale_f16), min = f16_to_f32(block.min_f16);
        for (int j = 0; j < kBlock; ++j) {
            const int q = nibble(block.nibbles, j) | high_bit(block.high_bits, j);
            out[b * kBlock + j] = static_cast<float>(q) * scale + min;
        }
    }
}

void quantize_q8_0(const float* x, std::int64_t n, std::byte* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const float* values = x + b * kBlock;
        float max_abs = 0.0f;
        for (int j = 0; j < kBlock; ++j) max_abs = std::max(max_abs, std::fabs(values[j]));
        const float scale = max_abs / 127.0f;
        const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
        BlockQ8_0 block;
        block.scale_f16 = f32_to_f16(scale);
        // |x * inverse| <= 127 up to rounding; the clamp keeps the cast defined.
        for (int j = 0; j < kBlock; ++j) {
            block.quants[j] = static_cast<std::int8_t>(std::clamp(std::round(values[j] * inverse), -127.0f, 127.0f));
        }
        store_block(out, b, block);
    }
}

void quantize_q4_0(const float* x, std::int64_t n, std::byte* out) {
    quantize_blocks<BlockQ4_0, quantize_symmetric<BlockQ4_0, 8>>(x, n, out);
}
void quantize_q4_1(const float* x, std::int64_t n, std::byte* out) {
    quantize_blocks<BlockQ4_1, quantize_affine<BlockQ4_1, 15>>(x, n, out);
}
void quantize_q5_0(const float* x, std::int64_t n, std::byte* out) {
    quantize_blocks<BlockQ5_0, quantize_symmetric<BlockQ5_0, 16>>(x, n, out);
}
void quantize_q5_1(const float* x, std::int64_t n, std::byte* out) {
    quantize_blocks<BlockQ5_1, quantize_affine<BlockQ5_1, 31>>(x, n, out);
}

void quantize_activations_q8_0(const float* x, std::int64_t n, BlockQ8_0* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) quantize_activation_block(x + b * kBlock, out[b].scale_f16, out[b].quants);
}

void quantize_activations_q8_1(const float* x, std::int64_t n, BlockQ8_1* out) {
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const ActivationBlock block = quantize_activation_block(x + b * kBlock, out[b].scale_f16, out[b].quants);
        out[b].sum_f16 = f32_to_f16(block.d * static_cast<float>(block.sum));
    }
}

float dot_q8_0_q8_0_portable(const std::byte* row, const BlockQ8_0* x, std::int64_t n) {
    BlockLanes lanes;
    for (std::int64_t b = 0; b < n / kBlock; ++b) {
        const auto block = load_block<BlockQ8_0>(row, b);
        std::int32_t sum = 0;
        for (int j = 0; j < kBlock; ++j) sum += block.quants[j] * x[b].quants[j];
        lanes.add(b, (f16_to_f32(block.scale_f16) * f16_to_f32(x[b].scale_f16)) * static_cast<float>(sum));
    }
    return lanes.total();
}

float dot_q4_0_q8_0_portable(const std::byte* row, const BlockQ8_0* x, std::int64_t n) {
    return dot_symmetric<BlockQ4_0, 8>(row, x, n);
}
float dot_q5_0_q8_0_portable(const std::byte* row, const BlockQ8_0* x, std::int64_t n) {
    return dot_symmetric<BlockQ5_0, 16>(row, x, n);
}
float dot_q4_1_q8_1_portable(const std::byte* row, const BlockQ8_1* x, std::int64_t n) {
    return dot_affine<BlockQ4_1>(row, x, n);
}
float dot_q5_1_q8_1_portable(const std::byte* row, const BlockQ8_1* x, std::int64_t n) {
    return dot_affine<BlockQ5_1>(row, x, n);
}

}  // namespace lpu::kernels
