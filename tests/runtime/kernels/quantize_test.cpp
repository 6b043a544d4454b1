#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/legacy_blocks.hpp"
#include "runtime/kernels/quantize.hpp"
#include "tests/runtime/kernels/kernel_test_data.hpp"

using namespace lpu::kernels;

TEST_CASE("Q8_0 quantisation follows GGML: scale max|x|/127, q = round(x/scale)", "[kernels][quantize]") {
    std::vector<float> x(64, 0.0f);
    for (int i = 0; i < 32; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(i - 16) * 0.5f;  // max |x| = 8
    // Second block is all zeros: scale 0, quants 0.
    std::vector<BlockQ8_0> blocks(2);
    quantize_row(DType::Q8_0, x.data(), 64, reinterpret_cast<std::byte*>(blocks.data()));
    const float scale = 8.0f / 127.0f;
    CHECK(blocks[0].scale_f16 == f32_to_f16(scale));
    CHECK(blocks[0].quants[0] == -127);  // -8
    CHECK(blocks[0].quants[16] == 0);
    CHECK(blocks[0].quants[17] == static_cast<std::int8_t>(std::round(0.5f * (1.0f / scale))));  // 7.9375 -> 8
    CHECK(blocks[0].quants[17] == 8);
    CHECK(blocks[1].scale_f16 == 0);
    for (auto q : blocks[1].quants) CHECK(q == 0);
}

TEST_CASE("Q8_0 dequantisation is within half a step of the input", "[kernels][quantize]") {
    const auto values = test::random_floats(4 * 96, 11, -3.0f, 3.0f);
    test::OwnedMatrix w(DType::Q8_0, 4, 96, values);
    std::vector<float> row(96);
    for (std::int64_t r = 0; r < 4; ++r) {
        dequantize_row(w.view, r, row.data());
        for (std::int64_t block = 0; block < 3; ++block) {
            float max_abs = 0.0f;
            for (int i = 0; i < 32; ++i) max_abs = std::max(max_abs, std::fabs(values[static_cast<std::size_t>(r * 96 + block * 32 + i)]));
            const float step = max_abs / 127.0f;
            for (int i = 0; i < 32; ++i) {
                const auto index = static_cast<std::size_t>(block * 32 + i);
                // Half a step of rounding plus the F16 rounding of the scale (2^-11 relative, |q| <= 127).
                REQUIRE(std::fabs(row[index] - values[static_cast<std::size_t>(r * 96) + index]) <=
                        (0.5f + 127.0f / 2048.0f) * step * 1.001f);
            }
        }
    }
}

TEST_CASE("dequantize_row decodes every dtype", "[kernels][quantize]") {
    const std::vector<float> values = {1.0f, -2.5f, 0.1f, 3.0e-5f, 1000.0f, -0.0f, 7.0f, 0.333f};
    std::vector<float> row(8);
    SECTION("F32 is copied exactly") {
        test::OwnedMatrix w(DType::F32, 2, 4, values);
        dequantize_row(w.view, 1, row.data());
        for (int i = 0; i < 4; ++i) CHECK(row[static_cast<std::size_t>(i)] == values[static_cast<std::size_t>(4 + i)]);
    }
    SECTION("F16 and BF16 match the scalar conversions") {
        for (DType dtype : {DType::F16, DType::BF16}) {
            test::OwnedMatrix w(dtype, 1, 8, values);
            dequantize_row(w.view, 0, row.data());
            for (std::size_t i = 0; i < 8; ++i) {
                const float expected =
                    dtype == DType::F16 ? f16_to_f32(f32_to_f16(values[i])) : bf16_to_f32(f32_to_bf16(values[i]));
                CHECK(row[i] == expected);
            }
        }
    }
}

TEST_CASE("quantisation and dequantisation reject bad input", "[kernels][quantize]") {
    std::vector<float> x(256, 1.0f);
    std::vector<std::byte> out(4096);
    CHECK_THROWS_WITH(quantize_row(DType::Q8_0, x.data(), 31, out.data()), Catch::Contains("multiple of the block size 32"));
    CHECK_THROWS_WITH(quantize_row(DType::Q4_K, x.data(), 224, out.data()), Catch::Contains("block size 256"));
    CHECK_THROWS_WITH(quantize_row(DType::F8_E4M3, x.data(), 32, out.data()), Catch::Contains("no kernel for F8_E4M3"));
    x[5] = std::numeric_limits<float>::infinity();
    CHECK_THROWS_WITH(quantize_row(DType::Q8_0, x.data(), 32, out.data()), Catch::Contains("value 5 is not finite"));
    x[5] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(quantize_row(DType::Q6_K, x.data(), 256, out.data()), lpu::Error);

    test::OwnedMatrix w(DType::F32, 2, 4, std::vector<float>(8, 1.0f));
    std::vector<float> row(4);
    CHECK_THROWS_WITH(dequantize_row(w.view, 2, row.data()), Catch::Contains("row 2 out of range"));
    CHECK_THROWS_AS(dequantize_row(w.view, -1, row.data()), lpu::Error);
    const Matrix ragged{DType::Q8_0, 1, 40, w.bytes.data()};
    CHECK_THROWS_WITH(dequantize_row(ragged, 0, row.data()), Catch::Contains("not a multiple of the Q8_0 block size"));
}
