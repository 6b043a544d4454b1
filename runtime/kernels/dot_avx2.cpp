// AVX2+FMA+F16C dot products, compiled with target attributes (per function,
// and for the block-quantised kernels per region) and used only after a
// run-time CPU check. Accumulation structure: see dot.hpp.
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "runtime/kernels/dot.hpp"
#include "runtime/kernels/k_quants.hpp"
#include "runtime/kernels/legacy_blocks.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define LPU_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace lpu::kernels {

namespace {

constexpr std::int64_t kLanes = 32;

// Loads 8 weights starting at element i as floats.
LPU_AVX2 __m256 load8_f32(const std::byte* p, std::int64_t i) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p + i * 4));
}
LPU_AVX2 __m256 load8_f16(const std::byte* p, std::int64_t i) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i * 2)));
}
LPU_AVX2 __m256 load8_bf16(const std::byte* p, std::int64_t i) {
    const __m256i widened = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i * 2)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(widened, 16));
}

LPU_AVX2 float combine_vector(__m256 s8_vector) {
    alignas(32) float s8[8];
    _mm256_store_ps(s8, s8_vector);
    return combine_eight_lanes(s8);
}

struct Accumulators {
    __m256 a0, a1, a2, a3;
};

template <__m256 (*Load8)(const std::byte*, std::int64_t)>
LPU_AVX2 inline void accumulate_group(Accumulators& acc, const std::byte* row, const float* x, std::int64_t i) {
    acc.a0 = _mm256_fmadd_ps(Load8(row, i), _mm256_loadu_ps(x + i), acc.a0);
    acc.a1 = _mm256_fmadd_ps(Load8(row, i + 8), _mm256_loadu_ps(x + i + 8), acc.a1);
    acc.a2 = _mm256_fmadd_ps(Load8(row, i + 16), _mm256_loadu_ps(x + i + 16), acc.a2);
    acc.a3 = _mm256_fmadd_ps(Load8(row, i + 24), _mm256_loadu_ps(x + i + 24), acc.a3);
}

template <__m256 (*Load8)(const std::byte*, std::int64_t), std::size_t kElementBytes>
LPU_AVX2 float dot_lanes(const std::byte* row, const float* x, std::int64_t n) {
    Accumulators acc{_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    std::int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) accumulate_group<Load8>(acc, row, x, i);
    if (i < n) {
        // The last partial group, zero-padded in local copies.
        const auto tail = static_cast<std::size_t>(n - i);
        alignas(32) std::byte row_tail[kLanes * kElementBytes] = {};
        alignas(32) float x_tail[kLanes] = {};
        std::memcpy(row_tail, row + i * static_cast<std::int64_t>(kElementBytes), tail * kElementBytes);
        std::memcpy(x_tail, x + i, tail * sizeof(float));
        accumulate_group<Load8>(acc, row_tail, x_tail, 0);
    }
    return combine_vector(_mm256_add_ps(_mm256_add_ps(acc.a0, acc.a1), _mm256_add_ps(acc.a2, acc.a3)));
}

}  // namespace

// The block-quantised kernels, with AVX2's byte dot product: unsigned x signed
// bytes to int16 pairs (maddubs, exact here: |pair| <= 2 x 128 x 127), then to int32.
// (GCC and clang spell a target region differently.)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif
namespace {
namespace avx2_blocks {
inline __m256i int8_dot(__m256i acc, __m256i u, __m256i s) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
}
inline __m256i int8_dot_scaled(__m256i acc, __m256i u, __m256i s, __m256i scales) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), scales));
}
#include "runtime/kernels/int8_dot_x86.inc"
#include "runtime/kernels/legacy_blocks_x86.inc"
#include "runtime/kernels/k_quants_x86.inc"
}  // namespace avx2_blocks
}  // namespace
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace {
// F16C is read from CPUID directly: clang's __builtin_cpu_supports does not know it.
bool cpu_has_f16c() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
}
}  // namespace

const DotKernels* avx2_dot_kernels() {
    static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
    using namespace avx2_blocks;
    static const DotKernels kernels{"avx2",
                                    dot_lanes<load8_f32, 4>,
                                    dot_lanes<load8_f16, 2>,
                                    dot_lanes<load8_bf16, 2>,
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
    return supported ? &kernels : nullptr;
}

}  // namespace lpu::kernels

#else

namespace lpu::kernels {
const DotKernels* avx2_dot_kernels() { return nullptr; }
}  // namespace lpu::kernels

#endif
