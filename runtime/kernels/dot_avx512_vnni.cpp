// The block-quantised dot products with AVX-512 VNNI's byte and word dot
// products (vpdpbusd: four u8 x s8 products into an int32, vpdpwssd: two
// int16 x int16), on 256-bit vectors. Same kernels as the AVX2 build
// (the .inc files), compiled here for this target and used only after a
// run-time CPU check; F32/F16/BF16 are the AVX2 build's. All exact, so every
// result equals the AVX2 and portable ones bit for bit.
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "runtime/kernels/dot.hpp"
#include "runtime/kernels/k_quants.hpp"
#include "runtime/kernels/legacy_blocks.hpp"

#if defined(__x86_64__)
#include <immintrin.h>

namespace lpu::kernels {

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")
#endif
namespace {
namespace vnni_blocks {
inline __m256i int8_dot(__m256i acc, __m256i u, __m256i s) { return _mm256_dpbusd_epi32(acc, u, s); }
inline __m256i int8_dot_scaled(__m256i acc, __m256i u, __m256i s, __m256i scales) {
    return _mm256_dpwssd_epi32(acc, _mm256_maddubs_epi16(u, s), scales);
}
#include "runtime/kernels/int8_dot_x86.inc"
#include "runtime/kernels/legacy_blocks_x86.inc"
#include "runtime/kernels/k_quants_x86.inc"
}  // namespace vnni_blocks
}  // namespace
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

const DotKernels* avx512_vnni_dot_kernels() {
    static const bool supported = avx2_dot_kernels() != nullptr && __builtin_cpu_supports("avx512f") &&
                                  __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                                  __builtin_cpu_supports("avx512vnni");
    if (!supported) return nullptr;
    using namespace vnni_blocks;
    static const DotKernels kernels{"avx512-vnni",
                                    avx2_dot_kernels()->f32,
                                    avx2_dot_kernels()->f16,
                                    avx2_dot_kernels()->bf16,
                                    dot_legacy<BlockQ8_0, 0, BlockQ8_0>,
                                    dot_legacy<BlockQ4_0, 8, BlockQ8_0>,
                                    dot_legacy<BlockQ4_1, 0, BlockQ8_1>,
                                    dot_legacy<BlockQ5_0, 16, BlockQ8_0>,
                                    dot_legacy<BlockQ5_1, 0, BlockQ8_1>,
                                    dot_q2_k,
                                    dot_q3_k,
                                    dot_q4k_like<BlockQ4_K>,
                                    dot_q4k_like<BlockQ5_K>,
                                    dot_q6_k};
    return &kernels;
}

}  // namespace lpu::kernels

#else

namespace lpu::kernels {
const DotKernels* avx512_vnni_dot_kernels() { return nullptr; }
}  // namespace lpu::kernels

#endif
