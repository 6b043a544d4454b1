// Portable scalar dot products: the F32/F16/BF16 ones mirror the AVX2
// accumulation structure (see dot.hpp); the block-quantised ones are the
// family files' references. Also the choice of build and the activation formats.
#include <cstring>
#include <string>

#include "base/error.hpp"
#include "runtime/kernels/dot.hpp"
#include "runtime/kernels/k_quants.hpp"
#include "runtime/kernels/legacy_blocks.hpp"

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

// The family references take typed activation blocks; the table takes bytes.
template <class Activations, float (*Dot)(const std::byte*, const Activations*, std::int64_t)>
float dot_bytes(const std::byte* row, const std::byte* x_blocks, std::int64_t n) {
    return Dot(row, reinterpret_cast<const Activations*>(x_blocks), n);
}

}  // namespace

ActivationFormat activation_format(DType type) {
    switch (type) {
        case DType::F32:
        case DType::F16:
        case DType::BF16:
        case DType::F8_E4M3: return ActivationFormat::F32;
        case DType::Q8_0:
        case DType::Q4_0:
        case DType::Q5_0: return ActivationFormat::Q8_0;
        case DType::Q4_1:
        case DType::Q5_1: return ActivationFormat::Q8_1;
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K: return ActivationFormat::Q8_K;
    }
    return ActivationFormat::F32;
}

std::size_t quantized_activation_bytes(DType type, std::int64_t n) {
    switch (activation_format(type)) {
        case ActivationFormat::F32: return 0;
        case ActivationFormat::Q8_0: return static_cast<std::size_t>(n) / kQ8BlockElements * sizeof(BlockQ8_0);
        case ActivationFormat::Q8_1: return static_cast<std::size_t>(n) / kQ8BlockElements * sizeof(BlockQ8_1);
        case ActivationFormat::Q8_K: return static_cast<std::size_t>(n) / kSuperBlockElements * sizeof(BlockQ8_K);
    }
    return 0;
}

void quantize_activations(DType type, const float* x, std::int64_t n, std::byte* out) {
    switch (activation_format(type)) {
        case ActivationFormat::F32: return;
        case ActivationFormat::Q8_0: quantize_activations_q8_0(x, n, reinterpret_cast<BlockQ8_0*>(out)); return;
        case ActivationFormat::Q8_1: quantize_activations_q8_1(x, n, reinterpret_cast<BlockQ8_1*>(out)); return;
        case ActivationFormat::Q8_K: quantize_activations_q8_k(x, n, reinterpret_cast<BlockQ8_K*>(out)); return;
    }
}

const DotKernels& portable_dot_kernels() {
    static const DotKernels kernels{"portable",
                                    dot_lanes<load_f32>,
                                    dot_lanes<load_f16>,
                                    dot_lanes<load_bf16>,
                                    dot_bytes<BlockQ8_0, dot_q8_0_q8_0_portable>,
                                    dot_bytes<BlockQ8_0, dot_q4_0_q8_0_portable>,
                                    dot_bytes<BlockQ8_1, dot_q4_1_q8_1_portable>,
                                    dot_bytes<BlockQ8_0, dot_q5_0_q8_0_portable>,
                                    dot_bytes<BlockQ8_1, dot_q5_1_q8_1_portable>,
                                    dot_bytes<BlockQ8_K, dot_q2_k_q8_k_portable>,
                                    dot_bytes<BlockQ8_K, dot_q3_k_q8_k_portable>,
                                    dot_bytes<BlockQ8_K, dot_q4_k_q8_k_portable>,
                                    dot_bytes<BlockQ8_K, dot_q5_k_q8_k_portable>,
                                    dot_bytes<BlockQ8_K, dot_q6_k_q8_k_portable>};
    return kernels;
}

RowDot DotKernels::float_dot(DType type) const {
    switch (type) {
        case DType::F32: return f32;
        case DType::F16: return f16;
        case DType::BF16: return bf16;
        default: break;
    }
    throw Error("the runtime has no kernel for " + dtype_name(type) + " weights");
}

QuantizedRowDot DotKernels::quantized_dot(DType type) const {
    switch (type) {
        case DType::Q8_0: return q8_0;
        case DType::Q4_0: return q4_0;
        case DType::Q4_1: return q4_1;
        case DType::Q5_0: return q5_0;
        case DType::Q5_1: return q5_1;
        case DType::Q2_K: return q2_k;
        case DType::Q3_K: return q3_k;
        case DType::Q4_K: return q4_k;
        case DType::Q5_K: return q5_k;
        case DType::Q6_K: return q6_k;
        default: break;
    }
    throw Error("the runtime has no kernel for " + dtype_name(type) + " weights");
}

const DotKernels& dot_kernels() {
    static const DotKernels& chosen = avx512_vnni_dot_kernels() ? *avx512_vnni_dot_kernels()
                                      : avx2_dot_kernels()      ? *avx2_dot_kernels()
                                                                : portable_dot_kernels();
    return chosen;
}

}  // namespace lpu::kernels
