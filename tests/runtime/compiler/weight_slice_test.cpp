#include <cmath>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/compiler/weight_slice.hpp"
#include "runtime/kernels/matvec.hpp"
#include "tests/runtime/kernels/kernel_test_data.hpp"

namespace lpu::compiler {
namespace {

using kernels::DType;

std::vector<float> full_matvec(const kernels::Matrix& w, const std::vector<float>& x, kernels::ThreadPool& pool) {
    std::vector<float> y(static_cast<std::size_t>(w.rows));
    kernels::matvec(w, x.data(), y.data(), pool);
    return y;
}

}  // namespace

TEST_CASE("a row slice's matvec is bitwise the matching part of the full matvec") {
    kernels::ThreadPool pool(1);
    for (const DType dtype : {DType::F32, DType::F16, DType::BF16, DType::Q8_0}) {
        CAPTURE(kernels::dtype_name(dtype));
        const auto w = kernels::test::random_matrix(dtype, 43, 96, 7);
        const auto x = kernels::test::random_floats(96, 11);
        const auto full = full_matvec(w.view, x, pool);
        const IndexRange rows{5, 26};
        std::vector<std::byte> buffer(row_slice_bytes(w.view, rows));
        const auto slice = slice_rows(w.view, rows, buffer);
        REQUIRE(slice.rows == 21);
        REQUIRE(slice.cols == 96);
        const auto part = full_matvec(slice, x, pool);
        CHECK(std::memcmp(part.data(), full.data() + rows.begin, part.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("column slices' partial matvecs add up to the full matvec") {
    kernels::ThreadPool pool(1);
    for (const DType dtype : {DType::F32, DType::F16, DType::BF16, DType::Q8_0}) {
        CAPTURE(kernels::dtype_name(dtype));
        const auto w = kernels::test::random_matrix(dtype, 17, 160, 3);
        const auto x = kernels::test::random_floats(160, 5);
        const auto full = full_matvec(w.view, x, pool);
        std::vector<float> sum(17, 0.0f);
        for (const IndexRange columns : {IndexRange{0, 64}, IndexRange{64, 96}, IndexRange{96, 160}}) {
            std::vector<std::byte> buffer(column_slice_bytes(w.view, columns));
            const auto slice = slice_columns(w.view, columns, buffer);
            REQUIRE(slice.cols == columns.size());
            const std::vector<float> x_part(x.begin() + columns.begin, x.begin() + columns.end);
            const auto part = full_matvec(slice, x_part, pool);
            for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += part[i];
        }
        for (std::size_t i = 0; i < sum.size(); ++i) CHECK(sum[i] == Approx(full[i]).margin(1e-4));
    }
}

TEST_CASE("weight slicing refuses bad ranges, unaligned Q8_0 columns and short buffers") {
    const auto w = kernels::test::random_matrix(DType::Q8_0, 4, 64, 1);
    std::vector<std::byte> buffer(w.view.size_bytes());
    CHECK_THROWS_WITH(slice_rows(w.view, {2, 5}, buffer), Catch::Contains("row range [2, 5)"));
    CHECK_THROWS_WITH(slice_rows(w.view, {2, 2}, buffer), Catch::Contains("empty"));
    CHECK_THROWS_WITH(slice_columns(w.view, {16, 64}, buffer), Catch::Contains("block boundaries"));
    CHECK_THROWS_WITH(slice_columns(w.view, {0, 96}, buffer), Catch::Contains("outside [0, 64)"));
    std::vector<std::byte> small(10);
    CHECK_THROWS_WITH(slice_columns(w.view, {0, 32}, small), Catch::Contains("smaller than the 136 bytes"));
    const auto f32 = kernels::test::random_matrix(DType::F32, 4, 8, 1);
    CHECK(slice_columns(f32.view, {3, 5}, buffer).cols == 2);
}

}  // namespace lpu::compiler
