#include "runtime/kernels/k_quants.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/kernels/dot.hpp"

namespace lpu::kernels {
namespace {

template <class Block>
Block load_block(const std::byte* row, std::int64_t index) {
    Block block;
    std::memcpy(&block, row + index * static_cast<std::int64_t>(sizeof(Block)), sizeof block);
    return block;
}

// One super-block unpacked: every quant (its offset removed) and the integer
// scale and min of each sub-block.
struct Unpacked {
    int sub_block = 16;  // values per sub-block
    int quants[kSuperBlock];
    int scales[16];
    int mins[16] = {};
};

// Q2_K: value v sits in byte 32 * (v / 128) + v % 32 at bit 2 * ((v % 128) / 32).
int two_bit_quant(const std::uint8_t* quants, int v) {
    return (quants[32 * (v / 128) + v % 32] >> (2 * ((v % 128) / 32))) & 3;
}

Unpacked unpack(const BlockQ2_K& block) {
    Unpacked u;
    for (int v = 0; v < kSuperBlock; ++v) u.quants[v] = two_bit_quant(block.quants, v);
    for (int j = 0; j < 16; ++j) {
        u.scales[j] = block.scales[j] & 0x0F;
        u.mins[j] = block.scales[j] >> 4;
    }
    return u;
}

// Q3_K: the two low bits as in Q2_K; bit 2 is bit v / 32 of high_mask[v % 32],
// and a clear bit means the value is 4 lower (q in -4..3).
Unpacked unpack(const BlockQ3_K& block) {
    Unpacked u;
    for (int v = 0; v < kSuperBlock; ++v) {
        const bool high = (block.high_mask[v % 32] >> (v / 32)) & 1;
        u.quants[v] = two_bit_quant(block.quants, v) - (high ? 0 : 4);
    }
    for (int j = 0; j < 16; ++j) u.scales[j] = q3k_scale(block.scales, j) - 32;
    return u;
}

// Q4_K/Q5_K: value v is in byte 32 * (v / 64) + v % 32, the low nibble when
// v % 64 < 32, else the high one; Q5_K's bit 4 is bit v / 32 of high_bits[v % 32].
template <class Block>
Unpacked unpack_q4k_like(const Block& block) {
    Unpacked u;
    u.sub_block = 32;
    for (int v = 0; v < kSuperBlock; ++v) {
        const std::uint8_t byte = block.quants[32 * (v / 64) + v % 32];
        u.quants[v] = (v % 64) < 32 ? byte & 0x0F : byte >> 4;
        if constexpr (requires { block.high_bits; }) u.quants[v] |= ((block.high_bits[v % 32] >> (v / 32)) & 1) << 4;
    }
    for (int j = 0; j < 8; ++j) {
        const ScaleMin scale_min = q4k_scale_min(block.scales, j);
        u.scales[j] = scale_min.scale;
        u.mins[j] = scale_min.min;
    }
    return u;
}

// Q6_K: in half h = v / 128 (w = v % 128, k = w / 32, l = w % 32) the low four
// bits are a nibble of low[64h + l + 32 (k % 2)] (low nibble for k < 2) and bits
// 4-5 are bits 2k..2k+1 of high[32h + l]; the value is q - 32.
Unpacked unpack(const BlockQ6_K& block) {
    Unpacked u;
    for (int v = 0; v < kSuperBlock; ++v) {
        const int h = v / 128, k = (v % 128) / 32, l = v % 32;
        const std::uint8_t low = block.low[64 * h + l + 32 * (k % 2)];
        const int nibble = k < 2 ? low & 0x0F : low >> 4;
        const int high = (block.high[32 * h + l] >> (2 * k)) & 3;
        u.quants[v] = (nibble | (high << 4)) - 32;
    }
    for (int j = 0; j < 16; ++j) u.scales[j] = block.scales[j];
    return u;
}

Unpacked unpack(const BlockQ4_K& block) { return unpack_q4k_like(block); }
Unpacked unpack(const BlockQ5_K& block) { return unpack_q4k_like(block); }

// GGML's expressions: with a minimum, y = (d * scale) * q - (dmin * min); without, y = (d * scale) * q.
template <class Block, bool kHasMin>
void dequantize(const std::byte* row, std::int64_t n, float* out) {
    for (std::int64_t b = 0; b < n / kSuperBlock; ++b) {
        const auto block = load_block<Block>(row, b);
        const Unpacked u = unpack(block);
        const float d = f16_to_f32(block.d_f16);
        float* y = out + b * kSuperBlock;
        for (int v = 0; v < kSuperBlock; ++v) {
            const int j = v / u.sub_block;
            const float scaled = d * static_cast<float>(u.scales[j]);
            if constexpr (kHasMin) {
                y[v] = scaled * static_cast<float>(u.quants[v]) - f16_to_f32(block.dmin_f16) * static_cast<float>(u.mins[j]);
            } else {
                y[v] = scaled * static_cast<float>(u.quants[v]);
            }
        }
    }
}

template <class Block, bool kHasMin>
float dot(const std::byte* row, const BlockQ8_K* x, std::int64_t n) {
    BlockLanes lanes;
    for (std::int64_t b = 0; b < n / kSuperBlock; ++b) {
        const auto block = load_block<Block>(row, b);
        const Unpacked u = unpack(block);
        const BlockQ8_K& a = x[b];
        std::int32_t isum = 0, imin = 0;
        for (int j = 0; j < kSuperBlock / u.sub_block; ++j) {
            std::int32_t sum = 0;
            for (int i = j * u.sub_block; i < (j + 1) * u.sub_block; ++i) sum += u.quants[i] * a.quants[i];
            isum += u.scales[j] * sum;
            const int runs = u.sub_block / 16;  // runs of 16 activations per sub-block
            std::int32_t activation_sum = 0;
            for (int r = 0; r < runs; ++r) activation_sum += a.sums[j * runs + r];
            imin += u.mins[j] * activation_sum;
        }
        const float d = f16_to_f32(block.d_f16);
        if constexpr (kHasMin) {
            lanes.add(b, k_quant_partial(d, f16_to_f32(block.dmin_f16), a.d, isum, imin));
        } else {
            lanes.add(b, k_quant_partial(d, a.d, isum));
        }
    }
    return lanes.total();
}

// Round to nearest, ties to even (GGML's nearest_int for the magnitudes it sees).
int nearest_int(float value) { return static_cast<int>(std::nearbyint(value)); }

}  // namespace

ScaleMin q4k_scale_min(const std::uint8_t* scales, int j) {
    if (j < 4) return {scales[j] & 63, scales[j + 4] & 63};
    return {(scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4), (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4)};
}

int q3k_scale(const std::uint8_t* scales, int j) {
    const int low = j < 8 ? scales[j] & 0x0F : scales[j - 8] >> 4;
    const int high = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
    return low | (high << 4);
}

void dequantize_q2_k(const std::byte* row, std::int64_t n, float* out) { dequantize<BlockQ2_K, true>(row, n, out); }
void dequantize_q3_k(const std::byte* row, std::int64_t n, float* out) { dequantize<BlockQ3_K, false>(row, n, out); }
void dequantize_q4_k(const std::byte* row, std::int64_t n, float* out) { dequantize<BlockQ4_K, true>(row, n, out); }
void dequantize_q5_k(const std::byte* row, std::int64_t n, float* out) { dequantize<BlockQ5_K, true>(row, n, out); }
void dequantize_q6_k(const std::byte* row, std::int64_t n, float* out) { dequantize<BlockQ6_K, false>(row, n, out); }

void quantize_activations_q8_k(const float* x, std::int64_t n, BlockQ8_K* out) {
    for (std::int64_t b = 0; b < n / kSuperBlock; ++b) {
        const float* values = x + b * kSuperBlock;
        BlockQ8_K& block = out[b];
        block = BlockQ8_K{};
        float max_abs = 0.0f, max = 0.0f;
        bool finite = true;
        for (int i = 0; i < kSuperBlock; ++i) {
            finite = finite && std::isfinite(values[i]);
            if (std::fabs(values[i]) > max_abs) {
                max_abs = std::fabs(values[i]);
                max = values[i];
            }
        }
        if (!finite) {
            block.d = std::numeric_limits<float>::quiet_NaN();
            continue;
        }
        if (max_abs == 0.0f) continue;  // all zero: d = 0, quants 0
        const float inverse_scale = -127.0f / max;
        for (int i = 0; i < kSuperBlock; ++i) {
            const int q = nearest_int(inverse_scale * values[i]);
            block.quants[i] = static_cast<std::int8_t>(q < 127 ? q : 127);
        }
        for (int r = 0; r < 16; ++r) {
            int sum = 0;
            for (int i = 0; i < 16; ++i) sum += block.quants[16 * r + i];
            block.sums[r] = static_cast<std::int16_t>(sum);
        }
        block.d = 1.0f / inverse_scale;
    }
}

float dot_q2_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n) {
    return dot<BlockQ2_K, true>(row, x, n);
}
float dot_q3_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n) {
    return dot<BlockQ3_K, false>(row, x, n);
}
float dot_q4_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n) {
    return dot<BlockQ4_K, true>(row, x, n);
}
float dot_q5_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n) {
    return dot<BlockQ5_K, true>(row, x, n);
}
float dot_q6_k_q8_k_portable(const std::byte* row, const BlockQ8_K* x, std::int64_t n) {
    return dot<BlockQ6_K, false>(row, x, n);
}

}  // namespace lpu::kernels
