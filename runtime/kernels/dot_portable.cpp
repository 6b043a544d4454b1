// Portable scalar dot products mirroring the AVX2 accumulation structure
// (see dot.hpp), so the two agree up to FMA rounding.
#include <cstring>
#include <string>

#include "base/error.hpp"
#include "runtime/kernels/dot.hpp"

namespace lpu::kernels {

namespace {

constexpr std::int64_t kLanes = 32;

float load_f32(const std::byte* p, std::int64_t i) {
    float value;
    std::memcpy(&value, p + i * 4, sizeof value);
    return value;
}
std::uint16_t load_u16(const std::byte* p, std::int64_t i) {
    std::uint16_t value;
    std::memcpy(&value, p + i * 2, sizeof value);
    return value;
}
float load_f16(const std::byte* p, std::int64_t i) { return f16_to_f32(load_u16(p, i)); }
float load_bf16(const std::byte* p, std::int64_t i) { return bf16_to_f32(load_u16(p, i)); }

float combine_lanes(const float* lanes) {
    float s8[8];
    for (int j = 0; j < 8; ++j) s8[j] = (lanes[j] + lanes[8 + j]) + (lanes[16 + j] + lanes[24 + j]);
    return combine_eight_lanes(s8);
}

template <float (*Load)(const std::byte*, std::int64_t)>
float dot_lanes(const std::byte* row, const float* x, std::int64_t n) {
    float lanes[kLanes] = {};
    std::int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (std::int64_t j = 0; j < kLanes; ++j) lanes[j] += Load(row, i + j) * x[i + j];
    }
    // The zero-padded last group: padding lanes add 0 * 0.
    for (std::int64_t j = 0; i + j < n; ++j) lanes[j] += Load(row, i + j) * x[i + j];
    return combine_lanes(lanes);
}

float dot_q8_0(const std::byte* row, const float* x, std::int64_t n) {
    float acc[2][8] = {};
    const std::int64_t blocks = n / static_cast<std::int64_t>(kQ8BlockElements);
    for (std::int64_t b = 0; b < blocks; ++b) {
        BlockQ8_0 block;
        std::memcpy(&block, row + b * static_cast<std::int64_t>(sizeof(BlockQ8_0)), sizeof block);
        const float scale = f16_to_f32(block.scale_f16);
        const float* xb = x + b * static_cast<std::int64_t>(kQ8BlockElements);
        for (int j = 0; j < 8; ++j) {
            const auto product = [&](int k) { return static_cast<float>(block.quants[8 * k + j]) * xb[8 * k + j]; };
            const float block_sum = (product(0) + product(1)) + (product(2) + product(3));
            acc[b % 2][j] += scale * block_sum;
        }
    }
    float s8[8];
    for (int j = 0; j < 8; ++j) s8[j] = acc[0][j] + acc[1][j];
    return combine_eight_lanes(s8);
}

}  // namespace

const DotKernels& portable_dot_kernels() {
    static const DotKernels kernels{"portable", dot_lanes<load_f32>, dot_lanes<load_f16>, dot_lanes<load_bf16>,
                                    dot_q8_0};
    return kernels;
}

RowDot DotKernels::for_dtype(DType type) const {
    switch (type) {
        case DType::F32: return f32;
        case DType::F16: return f16;
        case DType::BF16: return bf16;
        case DType::Q8_0: return q8_0;
        case DType::F8_E4M3: break;  // the time model's format only (dtype.hpp)
    }
    throw Error(std::string("the runtime has no kernel for ").append(dtype_name(type)).append(" weights"));
}

const DotKernels& dot_kernels() {
    static const DotKernels& chosen = avx2_dot_kernels() ? *avx2_dot_kernels() : portable_dot_kernels();
    return chosen;
}

}  // namespace lpu::kernels
