// The K-quant quantisers: GGML's reference algorithms (what llama-quantize runs
// without an importance matrix), re-expressed step for step so that every
// float operation happens in the same order and the same blocks come out.
// Each sub-block gets a scale (and a minimum) fitted by a small search; the
// sub-block scales are then themselves quantised against the super-block's
// F16 scale, and every value is re-quantised with the scale it will really have.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/kernels/k_quants.hpp"

namespace lpu::kernels {
namespace {

// GGML's threshold below which a group counts as all zero.
constexpr float kGroupMaxEpsilon = 1e-15f;

int nearest_int(float value) { return static_cast<int>(std::nearbyint(value)); }

template <class Block>
void store_block(std::byte* out, std::int64_t index, const Block& block) {
    std::memcpy(out + index * static_cast<std::int64_t>(sizeof(Block)), &block, sizeof block);
}

// The value of largest magnitude with its sign (the first one on ties).
float signed_max(const float* x, int n, float& max_abs) {
    float max = 0.0f;
    max_abs = 0.0f;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > max_abs) {
            max_abs = std::fabs(x[i]);
            max = x[i];
        }
    }
    return max;
}

// Scale and minimum of an affine group (w = scale * l - min, l in 0..nmax) that
// minimise the weighted error (absolute with use_mad, else squared): a first
// guess from the range, then nstep + 1 trial scales (nmax + rmin + rdelta * k
// levels over the range), each refitted by weighted least squares. Returns the
// scale; `min_out` receives the minimum (as a positive offset), `levels` the quants.
float fit_scale_and_min(int n, int nmax, const float* x, const float* weights, std::uint8_t* levels, float& min_out,
                        float rmin, float rdelta, int nstep, bool use_mad) {
    float min = x[0], max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        const float w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        std::fill(levels, levels + n, std::uint8_t{0});
        min_out = -min;
        return 0.0f;
    }
    const auto error_of = [&](float diff) { return use_mad ? std::fabs(diff) : diff * diff; };
    float inverse_scale = static_cast<float>(nmax) / (max - min);
    float scale = 1 / inverse_scale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        levels[i] = static_cast<std::uint8_t>(std::clamp(nearest_int(inverse_scale * (x[i] - min)), 0, nmax));
        best_error += weights[i] * error_of(scale * levels[i] + min - x[i]);
    }
    std::uint8_t trial[32];
    for (int step = 0; step <= nstep; ++step) {
        inverse_scale = (rmin + rdelta * static_cast<float>(step) + static_cast<float>(nmax)) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(inverse_scale * (x[i] - min)), 0, nmax);
            trial[i] = static_cast<std::uint8_t>(l);
            const float w = weights[i];
            sum_l += w * static_cast<float>(l);
            sum_l2 += w * static_cast<float>(l) * static_cast<float>(l);
            sum_xl += w * static_cast<float>(l) * x[i];
        }
        const float determinant = sum_w * sum_l2 - sum_l * sum_l;
        if (!(determinant > 0)) continue;  // NaN too, as GGML's `if (D > 0)`
        float trial_scale = (sum_w * sum_xl - sum_x * sum_l) / determinant;
        float trial_min = (sum_l2 * sum_x - sum_l * sum_xl) / determinant;
        if (trial_min > 0) {
            trial_min = 0;
            trial_scale = sum_xl / sum_l2;
        }
        float error = 0;
        for (int i = 0; i < n; ++i) error += weights[i] * error_of(trial_scale * trial[i] + trial_min - x[i]);
        if (error < best_error) {
            std::copy(trial, trial + n, levels);
            best_error = error;
            scale = trial_scale;
            min = trial_min;
        }
    }
    min_out = -min;
    return scale;
}

// Scale of a symmetric group (w = scale * l, l in -nmax..nmax-1, stored as l + nmax)
// minimising the x^2-weighted squared error over 19 trial scales around nmax
// levels for the largest magnitude. Returns the (signed) scale.
float fit_symmetric_scale(int n, int nmax, const float* x, std::int8_t* levels) {
    float max_abs;
    const float max = signed_max(x, n, max_abs);
    if (max_abs < kGroupMaxEpsilon) {
        std::fill(levels, levels + n, std::int8_t{0});
        return 0.0f;
    }
    const auto level = [&](float inverse_scale, int i) {
        return std::clamp(nearest_int(inverse_scale * x[i]), -nmax, nmax - 1);
    };
    float inverse_scale = static_cast<float>(-nmax) / max;
    float sum_lx = 0, sum_l2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = level(inverse_scale, i);
        levels[i] = static_cast<std::int8_t>(l + nmax);
        const float w = x[i] * x[i];
        sum_lx += w * x[i] * static_cast<float>(l);
        sum_l2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = sum_l2 != 0 ? sum_lx / sum_l2 : 0.0f;
    float best = scale * sum_lx;
    for (int step = -9; step <= 9; ++step) {
        if (step == 0) continue;
        inverse_scale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(step)) / max;
        sum_lx = sum_l2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = level(inverse_scale, i);
            const float w = x[i] * x[i];
            sum_lx += w * x[i] * static_cast<float>(l);
            sum_l2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
        if (sum_l2 > 0 && sum_lx * sum_lx > best * sum_l2) {
            for (int i = 0; i < n; ++i) levels[i] = static_cast<std::int8_t>(nmax + level(inverse_scale, i));
            scale = sum_lx / sum_l2;
            best = scale * sum_lx;
        }
    }
    return scale;
}

// Q3_K's group fit: levels in -nmax..nmax-1 from the largest magnitude, then up
// to five passes moving single levels while the x^2-weighted fit improves.
// Returns the least-squares scale; levels are stored as l + nmax.
float fit_q3_scale(int n, int nmax, const float* x, std::int8_t* levels) {
    float max_abs;
    const float max = signed_max(x, n, max_abs);
    if (max_abs < kGroupMaxEpsilon) {
        std::fill(levels, levels + n, std::int8_t{0});
        return 0.0f;
    }
    const float inverse_scale = static_cast<float>(-nmax) / max;
    float sum_lx = 0, sum_l2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::clamp(nearest_int(inverse_scale * x[i]), -nmax, nmax - 1);
        levels[i] = static_cast<std::int8_t>(l);
        const float w = x[i] * x[i];
        sum_lx += w * x[i] * static_cast<float>(l);
        sum_l2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            const auto current = static_cast<float>(levels[i]);
            float slx = sum_lx - w * x[i] * current;
            if (!(slx > 0)) continue;
            float sl2 = sum_l2 - w * current * current;
            const int candidate = std::clamp(nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
            if (candidate == levels[i]) continue;
            slx += w * x[i] * static_cast<float>(candidate);
            sl2 += w * static_cast<float>(candidate) * static_cast<float>(candidate);
            if (sl2 > 0 && slx * slx * sum_l2 > sum_lx * sum_lx * sl2) {
                levels[i] = static_cast<std::int8_t>(candidate);
                sum_lx = slx;
                sum_l2 = sl2;
                ++changed;
            }
        }
        if (changed == 0) break;
    }
    for (int i = 0; i < n; ++i) levels[i] = static_cast<std::int8_t>(levels[i] + nmax);
    return sum_l2 > 0.0f ? sum_lx / sum_l2 : 0.0f;
}

// Packs 2-bit levels (Q2_K, and Q3_K's low bits): value v into byte
// 32 * (v / 128) + v % 32 at bit 2 * ((v % 128) / 32).
template <class Level>
void pack_two_bits(const Level* levels, std::uint8_t* quants) {
    for (int base = 0; base < kSuperBlock; base += 128) {
        for (int l = 0; l < 32; ++l) {
            quants[base / 4 + l] = static_cast<std::uint8_t>(levels[base + l] | (levels[base + l + 32] << 2) |
                                                             (levels[base + l + 64] << 4) | (levels[base + l + 96] << 6));
        }
    }
}

// Q4_K/Q5_K's 12 bytes of six-bit scales and mins (the inverse of q4k_scale_min).
void pack_scales_and_mins(const std::uint8_t* scales, const std::uint8_t* mins, std::uint8_t* packed) {
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            packed[j] = scales[j];
            packed[j + 4] = mins[j];
        } else {
            packed[j + 4] = static_cast<std::uint8_t>((scales[j] & 0x0F) | ((mins[j] & 0x0F) << 4));
            packed[j - 4] = static_cast<std::uint8_t>(packed[j - 4] | ((scales[j] >> 4) << 6));
            packed[j] = static_cast<std::uint8_t>(packed[j] | ((mins[j] >> 4) << 6));
        }
    }
}

// The shared part of Q4_K and Q5_K: sub-blocks of 32 fitted with weights
// |x| + rms(sub-block), scales and mins quantised to six bits against the
// super-block's largest, then every value re-quantised to 0..nmax.
template <class Block>
Block quantize_q4k_like(const float* x, int nmax, float rmin, float rdelta, int nstep, std::uint8_t* levels) {
    float scales[8], mins[8], weights[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        const float* group = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += group[l] * group[l];
        const float rms = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = rms + std::fabs(group[l]);
        scales[j] = fit_scale_and_min(32, nmax, group, weights, levels + 32 * j, mins[j], rmin, rdelta, nstep, false);
        max_scale = std::max(max_scale, scales[j]);
        max_min = std::max(max_min, mins[j]);
    }
    const float inverse_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inverse_min = max_min > 0 ? 63.f / max_min : 0.f;
    std::uint8_t scale_levels[8], min_levels[8];
    for (int j = 0; j < 8; ++j) {
        scale_levels[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearest_int(inverse_scale * scales[j])));
        min_levels[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearest_int(inverse_min * mins[j])));
    }
    Block block{};
    pack_scales_and_mins(scale_levels, min_levels, block.scales);
    block.d_f16 = f32_to_f16(max_scale / 63.f);
    block.dmin_f16 = f32_to_f16(max_min / 63.f);
    for (int j = 0; j < 8; ++j) {
        const ScaleMin scale_min = q4k_scale_min(block.scales, j);
        const float d = f16_to_f32(block.d_f16) * static_cast<float>(scale_min.scale);
        if (d == 0) continue;
        const float dm = f16_to_f32(block.dmin_f16) * static_cast<float>(scale_min.min);
        for (int i = 32 * j; i < 32 * (j + 1); ++i) {
            levels[i] = static_cast<std::uint8_t>(std::clamp(nearest_int((x[i] + dm) / d), 0, nmax));
        }
    }
    return block;
}

BlockQ2_K quantize_block_q2_k(const float* x) {
    constexpr float kLevels = 15.f;  // of the four-bit scales and mins
    std::uint8_t levels[kSuperBlock];
    float scales[16], mins[16], weights[16];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; ++j) {
        for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
        scales[j] = fit_scale_and_min(16, 3, x + 16 * j, weights, levels + 16 * j, mins[j], -0.5f, 0.1f, 15, true);
        max_scale = std::max(max_scale, scales[j]);
        max_min = std::max(max_min, mins[j]);
    }
    BlockQ2_K block{};
    if (max_scale > 0) {
        const float inverse = kLevels / max_scale;
        for (int j = 0; j < 16; ++j) block.scales[j] = static_cast<std::uint8_t>(nearest_int(inverse * scales[j]));
        block.d_f16 = f32_to_f16(max_scale / kLevels);
    }
    if (max_min > 0) {
        const float inverse = kLevels / max_min;
        for (int j = 0; j < 16; ++j) {
            block.scales[j] = static_cast<std::uint8_t>(block.scales[j] | (nearest_int(inverse * mins[j]) << 4));
        }
        block.dmin_f16 = f32_to_f16(max_min / kLevels);
    }
    for (int j = 0; j < 16; ++j) {
        const float d = f16_to_f32(block.d_f16) * static_cast<float>(block.scales[j] & 0x0F);
        if (d == 0) continue;
        const float dm = f16_to_f32(block.dmin_f16) * static_cast<float>(block.scales[j] >> 4);
        for (int i = 16 * j; i < 16 * (j + 1); ++i) {
            levels[i] = static_cast<std::uint8_t>(std::clamp(nearest_int((x[i] + dm) / d), 0, 3));
        }
    }
    pack_two_bits(levels, block.quants);
    return block;
}

// Fits each of a super-block's 16 groups of 16 values with `fit` (scales[j] and
// the group's levels), and returns the scale of largest magnitude, with its
// sign: Q3_K and Q6_K quantise the group scales against it.
template <class FitGroup>
float fit_sub_block_scales(const float* x, float* scales, std::int8_t* levels, FitGroup&& fit) {
    float max_abs_scale = 0, max_scale = 0;
    for (int j = 0; j < 16; ++j) {
        scales[j] = fit(x + 16 * j, levels + 16 * j);
        if (std::fabs(scales[j]) > max_abs_scale) {
            max_abs_scale = std::fabs(scales[j]);
            max_scale = scales[j];
        }
    }
    return max_scale;
}

BlockQ3_K quantize_block_q3_k(const float* x) {
    std::int8_t levels[kSuperBlock];
    float scales[16];
    const float max_scale = fit_sub_block_scales(x, scales, levels, [](const float* group, std::int8_t* group_levels) {
        return fit_q3_scale(16, 4, group, group_levels);
    });
    BlockQ3_K block{};
    if (max_scale != 0) {
        const float inverse = -32.f / max_scale;
        for (int j = 0; j < 16; ++j) {
            int l = std::clamp(static_cast<int>(static_cast<std::int8_t>(nearest_int(inverse * scales[j]))), -32, 31) + 32;
            if (j < 8) {
                block.scales[j] = static_cast<std::uint8_t>(l & 0x0F);
            } else {
                block.scales[j - 8] = static_cast<std::uint8_t>(block.scales[j - 8] | ((l & 0x0F) << 4));
            }
            l >>= 4;
            block.scales[j % 4 + 8] = static_cast<std::uint8_t>(block.scales[j % 4 + 8] | (l << (2 * (j / 4))));
        }
        block.d_f16 = f32_to_f16(1 / inverse);
    }
    for (int j = 0; j < 16; ++j) {
        const float d = f16_to_f32(block.d_f16) * static_cast<float>(q3k_scale(block.scales, j) - 32);
        if (d == 0) continue;
        for (int i = 16 * j; i < 16 * (j + 1); ++i) {
            levels[i] = static_cast<std::int8_t>(std::clamp(nearest_int(x[i] / d), -4, 3) + 4);
        }
    }
    // Bit 2 of value v goes to bit v / 32 of high_mask[v % 32].
    for (int v = 0; v < kSuperBlock; ++v) {
        if (levels[v] > 3) {
            block.high_mask[v % 32] = static_cast<std::uint8_t>(block.high_mask[v % 32] | (1 << (v / 32)));
            levels[v] = static_cast<std::int8_t>(levels[v] - 4);
        }
    }
    pack_two_bits(levels, block.quants);
    return block;
}

BlockQ4_K quantize_block_q4_k(const float* x) {
    std::uint8_t levels[kSuperBlock];
    BlockQ4_K block = quantize_q4k_like<BlockQ4_K>(x, 15, -1.f, 0.1f, 20, levels);
    for (int base = 0; base < kSuperBlock; base += 64) {
        for (int l = 0; l < 32; ++l) {
            block.quants[base / 2 + l] = static_cast<std::uint8_t>(levels[base + l] | (levels[base + l + 32] << 4));
        }
    }
    return block;
}

BlockQ5_K quantize_block_q5_k(const float* x) {
    std::uint8_t levels[kSuperBlock];
    BlockQ5_K block = quantize_q4k_like<BlockQ5_K>(x, 31, -0.5f, 0.1f, 15, levels);
    for (int base = 0; base < kSuperBlock; base += 64) {
        const int sub_block = base / 32;  // the first of the two sub-blocks of this run of 64
        for (int l = 0; l < 32; ++l) {
            const int low = levels[base + l], high = levels[base + l + 32];
            block.high_bits[l] = static_cast<std::uint8_t>(block.high_bits[l] | ((low >> 4) << sub_block) |
                                                           ((high >> 4) << (sub_block + 1)));
            block.quants[base / 2 + l] = static_cast<std::uint8_t>((low & 0x0F) | ((high & 0x0F) << 4));
        }
    }
    return block;
}

BlockQ6_K quantize_block_q6_k(const float* x) {
    std::int8_t levels[kSuperBlock];
    float scales[16];
    const float max_scale = fit_sub_block_scales(x, scales, levels, [](const float* group, std::int8_t* group_levels) {
        return fit_symmetric_scale(16, 32, group, group_levels);
    });
    BlockQ6_K block{};
    if (std::fabs(max_scale) < kGroupMaxEpsilon) return block;
    const float inverse = -128.f / max_scale;
    block.d_f16 = f32_to_f16(1 / inverse);
    for (int j = 0; j < 16; ++j) block.scales[j] = static_cast<std::int8_t>(std::min(127, nearest_int(inverse * scales[j])));
    for (int j = 0; j < 16; ++j) {
        const float d = f16_to_f32(block.d_f16) * static_cast<float>(block.scales[j]);
        if (d == 0) continue;
        for (int i = 16 * j; i < 16 * (j + 1); ++i) {
            levels[i] = static_cast<std::int8_t>(std::clamp(nearest_int(x[i] / d), -32, 31) + 32);
        }
    }
    // The inverse of the value order documented at unpack(BlockQ6_K).
    for (int h = 0; h < 2; ++h) {
        const std::int8_t* L = levels + 128 * h;
        for (int l = 0; l < 32; ++l) {
            block.low[64 * h + l] = static_cast<std::uint8_t>((L[l] & 0x0F) | ((L[l + 64] & 0x0F) << 4));
            block.low[64 * h + l + 32] = static_cast<std::uint8_t>((L[l + 32] & 0x0F) | ((L[l + 96] & 0x0F) << 4));
            block.high[32 * h + l] = static_cast<std::uint8_t>((L[l] >> 4) | ((L[l + 32] >> 4) << 2) |
                                                               ((L[l + 64] >> 4) << 4) | ((L[l + 96] >> 4) << 6));
        }
    }
    return block;
}

template <class Block, Block (*QuantizeBlock)(const float*)>
void quantize_super_blocks(const float* x, std::int64_t n, std::byte* out) {
    for (std::int64_t b = 0; b < n / kSuperBlock; ++b) store_block(out, b, QuantizeBlock(x + b * kSuperBlock));
}

}  // namespace

void quantize_q2_k(const float* x, std::int64_t n, std::byte* out) {
    quantize_super_blocks<BlockQ2_K, quantize_block_q2_k>(x, n, out);
}
void quantize_q3_k(const float* x, std::int64_t n, std::byte* out) {
    quantize_super_blocks<BlockQ3_K, quantize_block_q3_k>(x, n, out);
}
void quantize_q4_k(const float* x, std::int64_t n, std::byte* out) {
    quantize_super_blocks<BlockQ4_K, quantize_block_q4_k>(x, n, out);
}
void quantize_q5_k(const float* x, std::int64_t n, std::byte* out) {
    quantize_super_blocks<BlockQ5_K, quantize_block_q5_k>(x, n, out);
}
void quantize_q6_k(const float* x, std::int64_t n, std::byte* out) {
    quantize_super_blocks<BlockQ6_K, quantize_block_q6_k>(x, n, out);
}

}  // namespace lpu::kernels
