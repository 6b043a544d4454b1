#pragma once
// Dot products of one weight row with an F32 activation vector, one function per
// weight DType, in two builds: AVX2+FMA+F16C and portable scalar. Both follow
// the same fixed accumulation structure (below), so a result never depends on
// how rows are spread over threads, and the two builds differ only by FMA
// rounding.
//
// F32/F16/BF16: 32 lane accumulators; element i goes to lane i % 32 (the last
// partial group is zero-padded). Lanes are combined in a fixed tree:
//   s8[j] = (lane[j] + lane[8+j]) + (lane[16+j] + lane[24+j]),
//   s4[j] = s8[j] + s8[j+4], s2[j] = s4[j] + s4[j+2], result = s2[0] + s2[1].
// Q8_0: per block b, bs[j] = (q[j]x[j] + q[8+j]x[8+j]) + (q[16+j]x[16+j] + q[24+j]x[24+j]),
//   accumulated as acc[b % 2][j] += scale_b * bs[j]; then s8 = acc[0] + acc[1]
//   and the same tree. Activations stay F32 (x is never quantised).
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/dtype.hpp"

namespace lpu::kernels {

// `row` points at `n` weights of the kernel's DType (n % 32 == 0 for Q8_0);
// any alignment is fine.
using RowDot = float (*)(const std::byte* row, const float* x, std::int64_t n);

struct DotKernels {
    const char* name;
    RowDot f32, f16, bf16, q8_0;

    RowDot for_dtype(DType type) const;
};

// The portable build, always available.
const DotKernels& portable_dot_kernels();
// The AVX2+FMA+F16C build, or nullptr when this CPU lacks any of them.
const DotKernels* avx2_dot_kernels();
// The fastest build this CPU runs, chosen once.
const DotKernels& dot_kernels();

// The lane-combining tree above, shared by both builds.
inline float combine_eight_lanes(const float* s8) {
    const float s4[4] = {s8[0] + s8[4], s8[1] + s8[5], s8[2] + s8[6], s8[3] + s8[7]};
    const float s2[2] = {s4[0] + s4[2], s4[1] + s4[3]};
    return s2[0] + s2[1];
}

}  // namespace lpu::kernels
