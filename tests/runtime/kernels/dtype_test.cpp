#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <catch2/catch.hpp>

#include "runtime/kernels/dtype.hpp"

using namespace lpu::kernels;

TEST_CASE("every half round-trips through float bit for bit", "[kernels][dtype]") {
    for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const auto half = static_cast<std::uint16_t>(bits);
        const float value = f16_to_f32(half);
        INFO("half 0x" << std::hex << bits);
        REQUIRE(f32_to_f16(value) == half);
        const bool half_is_nan = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0;
        REQUIRE(std::isnan(value) == half_is_nan);
    }
}

TEST_CASE("f16_to_f32 decodes known values", "[kernels][dtype]") {
    CHECK(f16_to_f32(0x3c00) == 1.0f);
    CHECK(f16_to_f32(0xc000) == -2.0f);
    CHECK(f16_to_f32(0x7bff) == 65504.0f);
    CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
    CHECK(f16_to_f32(0x03ff) == std::ldexp(1023.0f, -24));
    CHECK(f16_to_f32(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
    CHECK(f16_to_f32(0x7c00) == std::numeric_limits<float>::infinity());
    CHECK(f16_to_f32(0xfc00) == -std::numeric_limits<float>::infinity());
    CHECK(std::signbit(f16_to_f32(0x8000)));
}

TEST_CASE("f32_to_f16 rounds to nearest even, overflows to inf, keeps NaN", "[kernels][dtype]") {
    CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);        // tie -> even (down)
    CHECK(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);    // tie -> even (up)
    CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11) * 1.01f) == 0x3c01);  // above tie -> up
    CHECK(f32_to_f16(65519.0f) == 0x7bff);
    CHECK(f32_to_f16(65520.0f) == 0x7c00);
    CHECK(f32_to_f16(1e10f) == 0x7c00);
    CHECK(f32_to_f16(-1e10f) == 0xfc00);
    CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);                // tie with zero -> even (zero)
    CHECK(f32_to_f16(std::ldexp(1.0f, -25) * 1.01f) == 0x0001);
    CHECK(f32_to_f16(std::ldexp(3.0f, -25)) == 0x0002);                // 1.5 subnormal units -> 2
    CHECK(f32_to_f16(std::ldexp(1023.5f, -24)) == 0x0400);             // rounds up into the normals
    CHECK(f32_to_f16(1e-30f) == 0x0000);
    CHECK(f32_to_f16(-1e-30f) == 0x8000);
    CHECK((f32_to_f16(std::numeric_limits<float>::quiet_NaN()) & 0x7fff) > 0x7c00);
    CHECK((f32_to_f16(std::bit_cast<float>(0x7f800001u)) & 0x7fff) > 0x7c00);  // payload lost in the low bits
}

#if defined(__FLT16_MAX__)
TEST_CASE("f32_to_f16 agrees with the compiler's _Float16 conversion", "[kernels][dtype]") {
    std::mt19937 engine(7);
    for (int i = 0; i < 200000; ++i) {
        // Random bit patterns over the whole float range, NaNs excluded.
        const float value = std::bit_cast<float>(static_cast<std::uint32_t>(engine()));
        if (std::isnan(value)) continue;
        const auto expected = std::bit_cast<std::uint16_t>(static_cast<_Float16>(value));
        INFO("float bits 0x" << std::hex << std::bit_cast<std::uint32_t>(value));
        REQUIRE(f32_to_f16(value) == expected);
    }
}
#endif

TEST_CASE("bf16 conversion rounds to nearest even and keeps NaN", "[kernels][dtype]") {
    CHECK(f32_to_bf16(1.0f) == 0x3f80);
    CHECK(bf16_to_f32(0x3f80) == 1.0f);
    CHECK(f32_to_bf16(std::bit_cast<float>(0x3f808000u)) == 0x3f80);  // tie -> even (down)
    CHECK(f32_to_bf16(std::bit_cast<float>(0x3f818000u)) == 0x3f82);  // tie -> even (up)
    CHECK(f32_to_bf16(std::bit_cast<float>(0x3f808001u)) == 0x3f81);
    CHECK(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7f80);  // overflows to inf
    CHECK(std::isnan(bf16_to_f32(f32_to_bf16(std::bit_cast<float>(0x7f800001u)))));
    for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const auto half = static_cast<std::uint16_t>(bits);
        if (std::isnan(bf16_to_f32(half))) continue;
        REQUIRE(f32_to_bf16(bf16_to_f32(half)) == half);
    }
}

TEST_CASE("dtype names and sizes", "[kernels][dtype]") {
    CHECK(dtype_name(DType::F32) == "F32");
    CHECK(dtype_name(DType::F16) == "F16");
    CHECK(dtype_name(DType::BF16) == "BF16");
    CHECK(dtype_name(DType::Q8_0) == "Q8_0");
    CHECK(dtype_bytes(DType::Q8_0, 64) == 68);
}
