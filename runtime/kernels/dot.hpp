#pragma once
// Dot products of one weight row with an activation vector, one function per
// weight DType, in several builds (portable scalar, AVX2, AVX-512 VNNI) chosen
// once at run time. Each follows a fixed accumulation structure, so a result
// never depends on how rows are spread over threads.
//
// F32/F16/BF16 (F32 activations): 32 lane accumulators; element i goes to lane
// i % 32 (the last partial group is zero-padded). Lanes are combined in a fixed tree:
//   s8[j] = (lane[j] + lane[8+j]) + (lane[16+j] + lane[24+j]),
//   s4[j] = s8[j] + s8[j+4], s2[j] = s4[j] + s4[j+2], result = s2[0] + s2[1].
// The portable and AVX2 builds of these differ only by FMA rounding.
//
// Block-quantised types: the activations are first quantised to 8-bit blocks as
// GGML does (Q8_0 or Q8_1 blocks for the legacy family, Q8_K super-blocks for
// the K-quants; see activation_format). Each weight block then contributes one
// float partial computed from exact integer sums by a fixed formula (given in
// legacy_blocks.hpp and k_quants.hpp); partial b is added to lane b % 8 of
// BlockLanes, and the eight lanes are combined by combine_eight_lanes. Integer
// sums are exact and the float steps are the same in every build, so every
// build gives the same bits for these types.
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/dtype.hpp"

namespace lpu::kernels {

// How a weight type's dot product takes its activations.
enum class ActivationFormat { F32, Q8_0, Q8_1, Q8_K };
ActivationFormat activation_format(DType type);

// Bytes of the buffer quantize_activations fills for n values (n a multiple of
// the weight type's block; 0 for F32, whose dots read the floats themselves).
std::size_t quantized_activation_bytes(DType type, std::int64_t n);
// Quantises n activations into the format `type`'s dot product takes.
void quantize_activations(DType type, const float* x, std::int64_t n, std::byte* out);

// `row` points at `n` weights of the kernel's DType (whole blocks for block
// types); any alignment is fine. `x` is n floats, `x_blocks` n activations
// quantised for the weight type.
using RowDot = float (*)(const std::byte* row, const float* x, std::int64_t n);
using QuantizedRowDot = float (*)(const std::byte* row, const std::byte* x_blocks, std::int64_t n);

struct DotKernels {
    const char* name;
    RowDot f32, f16, bf16;
    QuantizedRowDot q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k;

    // Throws lpu::Error for a type with no kernel of that kind.
    RowDot float_dot(DType type) const;
    QuantizedRowDot quantized_dot(DType type) const;
};

// The portable build, always available.
const DotKernels& portable_dot_kernels();
// The AVX2+FMA+F16C build, or nullptr when this CPU lacks any of them.
const DotKernels* avx2_dot_kernels();
// AVX2 plus AVX-512 (F, BW, VL) with VNNI's byte dot products, or nullptr.
const DotKernels* avx512_vnni_dot_kernels();
// The fastest build this CPU runs, chosen once.
const DotKernels& dot_kernels();

// The lane-combining tree above, shared by every build.
inline float combine_eight_lanes(const float* s8) {
    const float s4[4] = {s8[0] + s8[4], s8[1] + s8[5], s8[2] + s8[6], s8[3] + s8[7]};
    const float s2[2] = {s4[0] + s4[2], s4[1] + s4[3]};
    return s2[0] + s2[1];
}

// The accumulator of block partials: partial b goes to lane b % 8.
struct BlockLanes {
    float lanes[8] = {};

    void add(std::int64_t block, float partial) { lanes[block & 7] += partial; }
    float total() const { return combine_eight_lanes(lanes); }
};

}  // namespace lpu::kernels
