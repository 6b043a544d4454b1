#include <cmath>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/kernels/legacy_blocks.hpp"
#include "runtime/kernels/quantize.hpp"
#include "tests/runtime/kernels/kernel_test_data.hpp"

using namespace lpu::kernels;

namespace {

template <class Block>
std::vector<float> dequantize(DType dtype, const Block& block) {
    std::vector<float> values(32);
    dequantize_values(dtype, reinterpret_cast<const std::byte*>(&block), 32, values.data());
    return values;
}

// Quants 0..15 (value j: j % 16) and, for the 5-bit types, bit 4 set on odd j.
int expected_quant(int j, bool five_bit) { return j % 16 + (five_bit && j % 2 == 1 ? 16 : 0); }

template <class Block>
Block block_with_quants(bool five_bit) {
    Block block{};
    for (int j = 0; j < 16; ++j) block.nibbles[j] = static_cast<std::uint8_t>((j % 16) | ((j % 16) << 4));
    if constexpr (requires { block.high_bits; }) {
        const std::uint32_t odd = 0xAAAAAAAAu;
        std::memcpy(block.high_bits, &odd, sizeof odd);
    }
    (void)five_bit;
    return block;
}

}  // namespace

TEST_CASE("legacy blocks decode GGML's layouts", "[kernels][legacy]") {
    const std::uint16_t half = f32_to_f16(0.5f), minus_one = f32_to_f16(-1.0f);
    SECTION("Q4_0: low nibbles are values 0..15, high nibbles 16..31, w = d (q - 8)") {
        auto block = block_with_quants<BlockQ4_0>(false);
        block.scale_f16 = half;
        const auto values = dequantize(DType::Q4_0, block);
        for (int j = 0; j < 32; ++j) CHECK(values[static_cast<std::size_t>(j)] == 0.5f * static_cast<float>(expected_quant(j, false) - 8));
    }
    SECTION("Q4_1: w = d q + m") {
        auto block = block_with_quants<BlockQ4_1>(false);
        block.scale_f16 = half;
        block.min_f16 = minus_one;
        const auto values = dequantize(DType::Q4_1, block);
        for (int j = 0; j < 32; ++j) CHECK(values[static_cast<std::size_t>(j)] == 0.5f * static_cast<float>(expected_quant(j, false)) - 1.0f);
    }
    SECTION("Q5_0: bit j of the high-bit word is bit 4 of value j, w = d (q - 16)") {
        auto block = block_with_quants<BlockQ5_0>(true);
        block.scale_f16 = half;
        const auto values = dequantize(DType::Q5_0, block);
        for (int j = 0; j < 32; ++j) CHECK(values[static_cast<std::size_t>(j)] == 0.5f * static_cast<float>(expected_quant(j, true) - 16));
    }
    SECTION("Q5_1: w = d q + m") {
        auto block = block_with_quants<BlockQ5_1>(true);
        block.scale_f16 = half;
        block.min_f16 = minus_one;
        const auto values = dequantize(DType::Q5_1, block);
        for (int j = 0; j < 32; ++j) CHECK(values[static_cast<std::size_t>(j)] == 0.5f * static_cast<float>(expected_quant(j, true)) - 1.0f);
    }
}

TEST_CASE("legacy quantisation stays within a step of the input", "[kernels][legacy]") {
    const auto values = test::random_floats(8 * 32, 5, -2.0f, 3.0f);
    for (const DType dtype : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1}) {
        INFO(dtype_name(dtype));
        test::OwnedMatrix w(dtype, 1, 256, values);
        std::vector<float> back(256);
        dequantize_row(w.view, 0, back.data());
        const float levels = dtype == DType::Q8_0 ? 254.0f : dtype == DType::Q4_0 || dtype == DType::Q4_1 ? 15.0f : 31.0f;
        for (int block = 0; block < 8; ++block) {
            float low = values[static_cast<std::size_t>(32 * block)], high = low;
            for (int j = 0; j < 32; ++j) {
                low = std::min(low, values[static_cast<std::size_t>(32 * block + j)]);
                high = std::max(high, values[static_cast<std::size_t>(32 * block + j)]);
            }
            // One step of the block's range (the symmetric types clamp their far end
            // by up to a step), plus F16 rounding of the scale and minimum.
            const float step = (dtype == DType::Q4_1 || dtype == DType::Q5_1 ? high - low
                                                                              : 2 * std::max(-low, high)) / levels;
            for (int j = 0; j < 32; ++j) {
                const auto i = static_cast<std::size_t>(32 * block + j);
                REQUIRE(std::fabs(back[i] - values[i]) <= 1.01f * step + 2e-3f * std::max(-low, high));
            }
        }
    }
}

TEST_CASE("an all-zero legacy block quantises to zeros", "[kernels][legacy]") {
    const std::vector<float> zeros(32, 0.0f);
    for (const DType dtype : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1}) {
        test::OwnedMatrix w(dtype, 1, 32, zeros);
        std::vector<float> back(32, 1.0f);
        dequantize_row(w.view, 0, back.data());
        for (const float value : back) CHECK(value == 0.0f);
    }
}
