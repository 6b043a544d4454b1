#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/kernels/k_quants.hpp"
#include "runtime/kernels/quantize.hpp"

using namespace lpu::kernels;

namespace {

constexpr DType kKQuants[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};

template <class Block>
std::vector<float> dequantize(DType dtype, const Block& block) {
    std::vector<float> values(256);
    dequantize_values(dtype, reinterpret_cast<const std::byte*>(&block), 256, values.data());
    return values;
}

std::vector<float> gaussian(std::size_t n, std::uint32_t seed) {
    std::mt19937 engine(seed);
    std::normal_distribution<float> distribution(0.0f, 1.0f);
    std::vector<float> values(n);
    for (auto& value : values) value = distribution(engine);
    return values;
}

}  // namespace

TEST_CASE("Q4_K packs six-bit scales and mins as GGML does", "[kernels][kquants]") {
    // Scale j = 10 + j, min j = 40 + j: j < 4 in the low six bits of bytes j and
    // j + 4; j >= 4 split into a nibble of byte j + 4 and the top two bits of
    // bytes j - 4 (scale) and j (min).
    std::uint8_t packed[12] = {};
    for (int j = 0; j < 8; ++j) {
        const int scale = 10 + j, min = 40 + j;
        if (j < 4) {
            packed[j] = static_cast<std::uint8_t>(scale);
            packed[j + 4] = static_cast<std::uint8_t>(min);
        } else {
            packed[j + 4] = static_cast<std::uint8_t>((scale & 15) | ((min & 15) << 4));
            packed[j - 4] = static_cast<std::uint8_t>(packed[j - 4] | ((scale >> 4) << 6));
            packed[j] = static_cast<std::uint8_t>(packed[j] | ((min >> 4) << 6));
        }
    }
    for (int j = 0; j < 8; ++j) {
        CHECK(q4k_scale_min(packed, j).scale == 10 + j);
        CHECK(q4k_scale_min(packed, j).min == 40 + j);
    }
}

TEST_CASE("Q4_K and Q6_K decode GGML's value order", "[kernels][kquants]") {
    SECTION("Q4_K: byte 32c + l holds values 64c + l (low nibble) and 64c + 32 + l (high)") {
        BlockQ4_K block{};
        block.d_f16 = f32_to_f16(1.0f);
        block.dmin_f16 = f32_to_f16(0.5f);
        for (int j = 0; j < 4; ++j) {  // scale 1 and min 2 for every sub-block
            block.scales[j] = 1;
            block.scales[j + 4] = 2;
            block.scales[j + 8] = 1 | (2 << 4);
        }
        for (int c = 0; c < 4; ++c) {
            for (int l = 0; l < 32; ++l) block.quants[32 * c + l] = static_cast<std::uint8_t>((l % 16) | ((15 - l % 16) << 4));
        }
        const auto values = dequantize(DType::Q4_K, block);
        for (int v = 0; v < 256; ++v) {
            const int l = v % 32;
            const int q = (v % 64) < 32 ? l % 16 : 15 - l % 16;
            CHECK(values[static_cast<std::size_t>(v)] == static_cast<float>(q) - 1.0f);  // 1 * q - 0.5 * 2
        }
    }
    SECTION("Q6_K: 4 low bits in `low`, 2 high bits in `high`, w = d * scale * (q - 32)") {
        BlockQ6_K block{};
        block.d_f16 = f32_to_f16(0.25f);
        for (int j = 0; j < 16; ++j) block.scales[j] = static_cast<std::int8_t>(j - 8);
        std::vector<int> quants(256);
        for (int v = 0; v < 256; ++v) quants[static_cast<std::size_t>(v)] = (v * 7) % 64;
        for (int h = 0; h < 2; ++h) {
            for (int l = 0; l < 32; ++l) {
                const auto q = [&](int k) { return quants[static_cast<std::size_t>(128 * h + 32 * k + l)]; };
                block.low[64 * h + l] = static_cast<std::uint8_t>((q(0) & 15) | ((q(2) & 15) << 4));
                block.low[64 * h + l + 32] = static_cast<std::uint8_t>((q(1) & 15) | ((q(3) & 15) << 4));
                block.high[32 * h + l] =
                    static_cast<std::uint8_t>((q(0) >> 4) | ((q(1) >> 4) << 2) | ((q(2) >> 4) << 4) | ((q(3) >> 4) << 6));
            }
        }
        const auto values = dequantize(DType::Q6_K, block);
        for (int v = 0; v < 256; ++v) {
            const float expected = 0.25f * static_cast<float>(v / 16 - 8) * static_cast<float>(quants[static_cast<std::size_t>(v)] - 32);
            CHECK(values[static_cast<std::size_t>(v)] == expected);
        }
    }
}

TEST_CASE("K-quants keep the relative RMS error their bit widths allow", "[kernels][kquants]") {
    // Gaussian weights, as real checkpoints roughly have them. Bounds are ~1.5x
    // what these quantisers reach here (GGML's give the same, byte for byte).
    const auto values = gaussian(16 * 256, 3);
    const std::pair<DType, double> bounds[] = {
        {DType::Q2_K, 0.45}, {DType::Q3_K, 0.25}, {DType::Q4_K, 0.14}, {DType::Q5_K, 0.07}, {DType::Q6_K, 0.035}};
    for (const auto& [dtype, bound] : bounds) {
        std::vector<std::byte> packed(dtype_bytes(dtype, values.size()));
        quantize_row(dtype, values.data(), static_cast<std::int64_t>(values.size()), packed.data());
        std::vector<float> back(values.size());
        dequantize_values(dtype, packed.data(), static_cast<std::int64_t>(values.size()), back.data());
        double error = 0.0, norm = 0.0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            error += std::pow(static_cast<double>(back[i]) - values[i], 2);
            norm += std::pow(static_cast<double>(values[i]), 2);
        }
        INFO(dtype_name(dtype) << " relative RMS error " << std::sqrt(error / norm));
        CHECK(std::sqrt(error / norm) < bound);
    }
}

TEST_CASE("an all-zero super-block quantises to zeros", "[kernels][kquants]") {
    const std::vector<float> zeros(256, 0.0f);
    for (const DType dtype : kKQuants) {
        std::vector<std::byte> packed(dtype_bytes(dtype, 256));
        quantize_row(dtype, zeros.data(), 256, packed.data());
        std::vector<float> back(256, 1.0f);
        dequantize_values(dtype, packed.data(), 256, back.data());
        for (const float value : back) CHECK(value == 0.0f);
    }
}

TEST_CASE("Q8_K activations: the largest magnitude maps to -127, sums per 16", "[kernels][kquants]") {
    std::vector<float> x(512, 0.0f);
    for (int i = 0; i < 256; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(i % 16) - 4.0f;  // max |x| = 11
    x[256 + 3] = std::numeric_limits<float>::quiet_NaN();
    BlockQ8_K blocks[2];
    quantize_activations_q8_k(x.data(), 512, blocks);
    CHECK(blocks[0].d == 1.0f / (-127.0f / 11.0f));
    CHECK(blocks[0].quants[15] == -127);
    CHECK(blocks[0].quants[4] == 0);
    int sum = 0;
    for (int i = 0; i < 16; ++i) sum += blocks[0].quants[i];
    CHECK(blocks[0].sums[0] == sum);
    // A non-finite value poisons its super-block, so dot products with it are NaN.
    CHECK(std::isnan(blocks[1].d));
}
