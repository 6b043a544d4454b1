#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/dot.hpp"
#include "runtime/kernels/k_quants.hpp"
#include "runtime/kernels/legacy_blocks.hpp"
#include "runtime/kernels/matvec.hpp"
#include "runtime/kernels/quantize.hpp"
#include "tests/runtime/kernels/kernel_test_data.hpp"
#include "tests/support/skip.hpp"

using namespace lpu::kernels;

namespace {

constexpr DType kFloatTypes[] = {DType::F32, DType::F16, DType::BF16};
constexpr DType kBlockTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                                 DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr DType kAllTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q8_0, DType::Q4_0,
                               DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K, DType::Q3_K,
                               DType::Q4_K, DType::Q5_K, DType::Q6_K};

// The activations as a block type's dot product sees them: quantised to 8-bit
// blocks and back (F32 types: unchanged).
std::vector<float> activations_as_seen(DType dtype, const float* x, std::int64_t n) {
    std::vector<float> seen(x, x + n);
    if (activation_format(dtype) == ActivationFormat::F32) return seen;
    std::vector<std::byte> blocks(quantized_activation_bytes(dtype, n));
    quantize_activations(dtype, x, n, blocks.data());
    if (activation_format(dtype) == ActivationFormat::Q8_0) {
        dequantize_values(DType::Q8_0, blocks.data(), n, seen.data());
    } else if (activation_format(dtype) == ActivationFormat::Q8_1) {
        const auto* q8_1 = reinterpret_cast<const BlockQ8_1*>(blocks.data());
        for (std::int64_t i = 0; i < n; ++i) {
            seen[static_cast<std::size_t>(i)] = f16_to_f32(q8_1[i / 32].scale_f16) * static_cast<float>(q8_1[i / 32].quants[i % 32]);
        }
    } else {
        const auto* super_blocks = reinterpret_cast<const BlockQ8_K*>(blocks.data());
        for (std::int64_t i = 0; i < n; ++i) {
            const BlockQ8_K& block = super_blocks[i / 256];
            seen[static_cast<std::size_t>(i)] = block.d * static_cast<float>(block.quants[i % 256]);
        }
    }
    return seen;
}

// The _1 types take their activations' sums as GGML does, s = F16(d * sum q),
// in place of d_x * sum q: what that changes in row r's product.
double q8_1_sum_correction(const Matrix& w, std::int64_t r, const float* x) {
    if (activation_format(w.dtype) != ActivationFormat::Q8_1) return 0.0;
    std::vector<std::byte> blocks(quantized_activation_bytes(w.dtype, w.cols));
    quantize_activations(w.dtype, x, w.cols, blocks.data());
    const auto* activations = reinterpret_cast<const BlockQ8_1*>(blocks.data());
    const std::size_t block_bytes = static_cast<std::size_t>(block_shape(w.dtype).bytes);
    double correction = 0.0;
    for (std::int64_t b = 0; b < w.cols / 32; ++b) {
        std::uint16_t min_f16;  // Q4_1 and Q5_1 both start with the scale, then the minimum
        std::memcpy(&min_f16, w.row(r) + static_cast<std::size_t>(b) * block_bytes + 2, sizeof min_f16);
        int sum = 0;
        for (const auto q : activations[b].quants) sum += q;
        const double exact = static_cast<double>(f16_to_f32(activations[b].scale_f16)) * sum;
        correction += f16_to_f32(min_f16) * (static_cast<double>(f16_to_f32(activations[b].sum_f16)) - exact);
    }
    return correction;
}

// Double-precision product with the weights and activations as the kernel sees them.
std::vector<double> reference_matvec(const Matrix& w, const float* x) {
    const auto seen = activations_as_seen(w.dtype, x, w.cols);
    std::vector<double> y(static_cast<std::size_t>(w.rows));
    std::vector<float> row(static_cast<std::size_t>(w.cols));
    for (std::int64_t r = 0; r < w.rows; ++r) {
        dequantize_row(w, r, row.data());
        double sum = 0.0;
        for (std::int64_t c = 0; c < w.cols; ++c) {
            sum += static_cast<double>(row[static_cast<std::size_t>(c)]) * seen[static_cast<std::size_t>(c)];
        }
        y[static_cast<std::size_t>(r)] = sum + q8_1_sum_correction(w, r, x);
    }
    return y;
}

// Error bound of a float dot product of n terms, relative to sum |w x|.
double tolerance(const Matrix& w, std::int64_t r, const float* x) {
    const auto seen = activations_as_seen(w.dtype, x, w.cols);
    std::vector<float> row(static_cast<std::size_t>(w.cols));
    dequantize_row(w, r, row.data());
    double magnitude = 0.0;
    for (std::int64_t c = 0; c < w.cols; ++c) {
        magnitude += std::fabs(static_cast<double>(row[static_cast<std::size_t>(c)]) * seen[static_cast<std::size_t>(c)]);
    }
    // 2^-24 per operation over ~log2(n)+n/32 sequential additions, with margin.
    return magnitude * 1e-6 * (8.0 + static_cast<double>(w.cols) / 32.0) + 1e-30;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<std::int64_t> column_counts(DType dtype) {
    switch (block_shape(dtype).values) {
        case 1: return {1, 5, 13, 31, 32, 33, 47, 96, 100, 4096};
        case 32: return {32, 64, 96, 224, 256, 288, 4096};  // whole groups of 8 blocks and partial ones
        default: return {256, 512, 768, 2048, 4096};
    }
}

}  // namespace

TEST_CASE("matvec matches a double-precision reference for every dtype and odd shapes", "[kernels][matvec]") {
    ThreadPool pool(2);
    for (DType dtype : kAllTypes) {
        for (std::int64_t rows : {1, 7, 33}) {
            for (std::int64_t cols : column_counts(dtype)) {
                INFO(dtype_name(dtype) << " " << rows << " x " << cols);
                auto w = test::random_matrix(dtype, rows, cols, static_cast<std::uint32_t>(rows * 1000 + cols));
                const auto x = test::random_floats(cols, static_cast<std::uint32_t>(cols));
                std::vector<float> y(static_cast<std::size_t>(rows));
                matvec(w.view, x.data(), y.data(), pool);
                const auto expected = reference_matvec(w.view, x.data());
                for (std::int64_t r = 0; r < rows; ++r) {
                    REQUIRE(std::fabs(y[static_cast<std::size_t>(r)] - expected[static_cast<std::size_t>(r)]) <=
                            tolerance(w.view, r, x.data()));
                }
            }
        }
    }
}

TEST_CASE("8-bit activations stay close to the F32 product", "[kernels][matvec]") {
    // Activation quantisation (as GGML does it) costs at most half a step of
    // 1/127 of a block's largest |x| per value.
    ThreadPool pool(1);
    for (DType dtype : kBlockTypes) {
        INFO(dtype_name(dtype));
        const std::int64_t rows = 16, cols = 1024;
        auto w = test::random_matrix(dtype, rows, cols, 41);
        const auto x = test::random_floats(cols, 42);
        std::vector<float> y(rows), row(cols);
        matvec(w.view, x.data(), y.data(), pool);
        for (std::int64_t r = 0; r < rows; ++r) {
            dequantize_row(w.view, r, row.data());
            double exact = 0.0, bound = 0.0;
            for (std::int64_t c = 0; c < cols; ++c) {
                exact += static_cast<double>(row[static_cast<std::size_t>(c)]) * x[static_cast<std::size_t>(c)];
                bound += std::fabs(row[static_cast<std::size_t>(c)]) * (0.5 / 127.0 + 1e-3);  // |x| <= 1, F16 scale
            }
            REQUIRE(std::fabs(y[static_cast<std::size_t>(r)] - exact) <= bound);
        }
    }
}

TEST_CASE("matmul equals matvec on each vector bit for bit", "[kernels][matvec]") {
    ThreadPool pool(3);
    for (DType dtype : kAllTypes) {
        INFO(dtype_name(dtype));
        const std::int64_t rows = 37, cols = block_shape(dtype).values == 256 ? 512 : 160, n = 5;
        auto w = test::random_matrix(dtype, rows, cols, 5);
        const auto x = test::random_floats(n * cols, 6);
        std::vector<float> batched(static_cast<std::size_t>(n * rows));
        matmul(w.view, x.data(), n, batched.data(), pool);
        for (std::int64_t i = 0; i < n; ++i) {
            std::vector<float> single(static_cast<std::size_t>(rows));
            matvec(w.view, x.data() + i * cols, single.data(), pool);
            const std::vector<float> slice(batched.begin() + i * rows, batched.begin() + (i + 1) * rows);
            REQUIRE(bitwise_equal(slice, single));
        }
    }
}

TEST_CASE("matvec results do not depend on the thread count", "[kernels][matvec]") {
    ThreadPool one(1), two(2), three(3);
    for (DType dtype : kAllTypes) {
        INFO(dtype_name(dtype));
        const std::int64_t rows = 101, cols = block_shape(dtype).values == 256 ? 512 : 320;
        auto w = test::random_matrix(dtype, rows, cols, 9);
        const auto x = test::random_floats(cols, 10);
        std::vector<float> y1(rows), y2(rows), y3(rows), again(rows);
        matvec(w.view, x.data(), y1.data(), one);
        matvec(w.view, x.data(), y2.data(), two);
        matvec(w.view, x.data(), y3.data(), three);
        matvec(w.view, x.data(), again.data(), three);
        CHECK(bitwise_equal(y1, y2));
        CHECK(bitwise_equal(y1, y3));
        CHECK(bitwise_equal(y3, again));
    }
}

// The SIMD builds this CPU runs, besides the portable one.
std::vector<const DotKernels*> simd_builds() {
    std::vector<const DotKernels*> builds;
    for (const DotKernels* build : {avx2_dot_kernels(), avx512_vnni_dot_kernels()}) {
        if (build != nullptr) builds.push_back(build);
    }
    return builds;
}

TEST_CASE("portable and AVX2 float dot products agree closely and are each deterministic", "[kernels][matvec]") {
    const DotKernels* avx2 = avx2_dot_kernels();
    if (avx2 == nullptr) LPU_SKIP("this CPU has no AVX2+FMA+F16C");
    const DotKernels& portable = portable_dot_kernels();
    for (DType dtype : kFloatTypes) {
        for (std::int64_t cols : {32, 96, 4096}) {
            INFO(dtype_name(dtype) << " cols " << cols);
            auto w = test::random_matrix(dtype, 3, cols, 21);
            const auto x = test::random_floats(cols, 22);
            for (std::int64_t r = 0; r < 3; ++r) {
                const float fast = avx2->float_dot(dtype)(w.view.row(r), x.data(), cols);
                const float slow = portable.float_dot(dtype)(w.view.row(r), x.data(), cols);
                // Same accumulation tree; only FMA's single rounding differs.
                REQUIRE(std::fabs(fast - slow) <= tolerance(w.view, r, x.data()) / 4);
                REQUIRE(std::bit_cast<std::uint32_t>(fast) ==
                        std::bit_cast<std::uint32_t>(avx2->float_dot(dtype)(w.view.row(r), x.data(), cols)));
                REQUIRE(std::bit_cast<std::uint32_t>(slow) ==
                        std::bit_cast<std::uint32_t>(portable.float_dot(dtype)(w.view.row(r), x.data(), cols)));
            }
        }
    }
}

TEST_CASE("every build of the block-quantised dot products gives the portable bits", "[kernels][matvec]") {
    const auto builds = simd_builds();
    if (builds.empty()) WARN("only the portable build runs on this CPU");
    for (const DotKernels* build : builds) INFO("checking build " << build->name);
    const DotKernels& portable = portable_dot_kernels();
    for (DType dtype : kBlockTypes) {
        for (std::int64_t cols : column_counts(dtype)) {
            // Weights and activations over several magnitudes, signs and an all-zero stretch.
            auto values = test::random_floats(5 * cols, static_cast<std::uint32_t>(cols) + 7, -3.0f, 3.0f);
            for (std::int64_t i = 0; i < 5 * cols; i += 37) values[static_cast<std::size_t>(i)] *= 50.0f;
            std::fill(values.begin() + 2 * cols, values.begin() + 2 * cols + std::min<std::int64_t>(cols, 300), 0.0f);
            test::OwnedMatrix w(dtype, 5, cols, values);
            auto x = test::random_floats(cols, static_cast<std::uint32_t>(cols) + 8, -5.0f, 5.0f);
            x[0] = 40.0f;
            std::vector<std::byte> activations(quantized_activation_bytes(dtype, cols));
            quantize_activations(dtype, x.data(), cols, activations.data());
            for (std::int64_t r = 0; r < 5; ++r) {
                const float expected = portable.quantized_dot(dtype)(w.view.row(r), activations.data(), cols);
                for (const DotKernels* build : builds) {
                    INFO(build->name << " " << dtype_name(dtype) << " cols " << cols << " row " << r);
                    REQUIRE(std::bit_cast<std::uint32_t>(build->quantized_dot(dtype)(w.view.row(r), activations.data(),
                                                                                      cols)) ==
                            std::bit_cast<std::uint32_t>(expected));
                }
            }
        }
    }
}

TEST_CASE("the fastest build this CPU has is the one chosen", "[kernels][matvec]") {
    const DotKernels* expected = avx512_vnni_dot_kernels() ? avx512_vnni_dot_kernels() : avx2_dot_kernels();
    if (expected == nullptr) expected = &portable_dot_kernels();
    CHECK(&dot_kernels() == expected);
    INFO("chosen: " << dot_kernels().name);
}

TEST_CASE("dot products accept unaligned rows", "[kernels][matvec]") {
    const auto values = test::random_floats(45, 3);
    test::OwnedMatrix aligned(DType::F32, 1, 45, values);
    std::vector<std::byte> shifted(aligned.bytes.size() + 1);
    std::memcpy(shifted.data() + 1, aligned.bytes.data(), aligned.bytes.size());
    const auto x = test::random_floats(45, 4);
    const float expected = dot_kernels().f32(aligned.view.row(0), x.data(), 45);
    CHECK(std::bit_cast<std::uint32_t>(dot_kernels().f32(shifted.data() + 1, x.data(), 45)) ==
          std::bit_cast<std::uint32_t>(expected));
}

TEST_CASE("matvec rejects malformed matrices", "[kernels][matvec]") {
    ThreadPool pool(1);
    std::vector<std::byte> bytes(1024);
    std::vector<float> x(64), y(4);
    CHECK_THROWS_WITH(matvec(Matrix{DType::Q8_0, 2, 48, bytes.data()}, x.data(), y.data(), pool),
                      Catch::Contains("48 columns"));
    CHECK_THROWS_WITH(matvec(Matrix{DType::F32, 0, 4, bytes.data()}, x.data(), y.data(), pool),
                      Catch::Contains("must be positive"));
    CHECK_THROWS_WITH(matvec(Matrix{DType::F32, 2, 4, nullptr}, x.data(), y.data(), pool), Catch::Contains("no data"));
    CHECK_THROWS_AS(matmul(Matrix{DType::F32, 2, 4, bytes.data()}, x.data(), 0, y.data(), pool), lpu::Error);
}
