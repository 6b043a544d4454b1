#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/dot.hpp"
#include "runtime/kernels/matvec.hpp"
#include "runtime/kernels/quantize.hpp"
#include "tests/runtime/kernels/kernel_test_data.hpp"
#include "tests/support/skip.hpp"

using namespace lpu::kernels;

namespace {

constexpr DType kAllTypes[] = {DType::F32, DType::F16, DType::BF16, DType::Q8_0};

// Double-precision product with the weights as the kernel sees them.
std::vector<double> reference_matvec(const Matrix& w, const float* x) {
    std::vector<double> y(static_cast<std::size_t>(w.rows));
    std::vector<float> row(static_cast<std::size_t>(w.cols));
    for (std::int64_t r = 0; r < w.rows; ++r) {
        dequantize_row(w, r, row.data());
        double sum = 0.0;
        for (std::int64_t c = 0; c < w.cols; ++c) sum += static_cast<double>(row[static_cast<std::size_t>(c)]) * x[c];
        y[static_cast<std::size_t>(r)] = sum;
    }
    return y;
}

// Error bound of a float dot product of n terms, relative to sum |w x|.
double tolerance(const Matrix& w, std::int64_t r, const float* x) {
    std::vector<float> row(static_cast<std::size_t>(w.cols));
    dequantize_row(w, r, row.data());
    double magnitude = 0.0;
    for (std::int64_t c = 0; c < w.cols; ++c) magnitude += std::fabs(static_cast<double>(row[static_cast<std::size_t>(c)]) * x[c]);
    // 2^-24 per operation over ~log2(n)+n/32 sequential additions, with margin.
    return magnitude * 1e-6 * (8.0 + static_cast<double>(w.cols) / 32.0) + 1e-30;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("matvec matches a double-precision reference for every dtype and odd shapes", "[kernels][matvec]") {
    ThreadPool pool(2);
    for (DType dtype : kAllTypes) {
        for (std::int64_t rows : {1, 7, 33}) {
            std::vector<std::int64_t> col_counts = {32, 64, 96, 4096};
            if (dtype != DType::Q8_0) col_counts.insert(col_counts.end(), {1, 5, 13, 31, 33, 47, 100});
            for (std::int64_t cols : col_counts) {
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

TEST_CASE("matmul equals matvec on each vector bit for bit", "[kernels][matvec]") {
    ThreadPool pool(3);
    for (DType dtype : kAllTypes) {
        INFO(dtype_name(dtype));
        const std::int64_t rows = 37, cols = 160, n = 5;
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
        const std::int64_t rows = 101, cols = 320;
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

TEST_CASE("portable and AVX2 dot products agree closely and are each deterministic", "[kernels][matvec]") {
    const DotKernels* avx2 = avx2_dot_kernels();
    if (avx2 == nullptr) LPU_SKIP("this CPU has no AVX2+FMA+F16C");
    const DotKernels& portable = portable_dot_kernels();
    CHECK(&dot_kernels() == avx2);
    for (DType dtype : kAllTypes) {
        for (std::int64_t cols : {32, 96, 4096}) {
            INFO(dtype_name(dtype) << " cols " << cols);
            auto w = test::random_matrix(dtype, 3, cols, 21);
            const auto x = test::random_floats(cols, 22);
            for (std::int64_t r = 0; r < 3; ++r) {
                const float fast = avx2->for_dtype(dtype)(w.view.row(r), x.data(), cols);
                const float slow = portable.for_dtype(dtype)(w.view.row(r), x.data(), cols);
                // Same accumulation tree; only FMA's single rounding differs.
                REQUIRE(std::fabs(fast - slow) <= tolerance(w.view, r, x.data()) / 4);
                REQUIRE(std::bit_cast<std::uint32_t>(fast) ==
                        std::bit_cast<std::uint32_t>(avx2->for_dtype(dtype)(w.view.row(r), x.data(), cols)));
                REQUIRE(std::bit_cast<std::uint32_t>(slow) ==
                        std::bit_cast<std::uint32_t>(portable.for_dtype(dtype)(w.view.row(r), x.data(), cols)));
            }
        }
    }
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
