// RMSNorm, RoPE, softmax and the activations against naive references written
// the way llama2.c writes them (float arithmetic, same expression order).
#include <cmath>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/activation.hpp"
#include "runtime/kernels/norm.hpp"
#include "runtime/kernels/rope.hpp"
#include "tests/runtime/kernels/kernel_test_data.hpp"

using namespace lpu::kernels;

namespace {
bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

TEST_CASE("rmsnorm matches llama2.c's float formula and a double reference", "[kernels][pointwise]") {
    const std::int64_t n = 771;
    const auto x = test::random_floats(n, 1, -4.0f, 4.0f);
    const auto weight = test::random_floats(n, 2, 0.5f, 1.5f);
    std::vector<float> out(static_cast<std::size_t>(n));
    rmsnorm(out.data(), x.data(), weight.data(), n, 1e-5f);

    float ss = 0.0f;
    for (float v : x) ss += v * v;
    ss /= static_cast<float>(n);
    ss += 1e-5f;
    ss = 1.0f / sqrtf(ss);
    double mean_square = 0.0;
    for (float v : x) mean_square += static_cast<double>(v) * v;
    const double inverse_rms = 1.0 / std::sqrt(mean_square / static_cast<double>(n) + 1e-5);
    for (std::size_t j = 0; j < out.size(); ++j) {
        REQUIRE(out[j] == weight[j] * (ss * x[j]));
        REQUIRE(std::fabs(out[j] - weight[j] * x[j] * inverse_rms) <= 1e-5 * std::fabs(weight[j] * x[j] * inverse_rms) + 1e-7);
    }
    // In place.
    std::vector<float> in_place = x;
    rmsnorm(in_place.data(), in_place.data(), weight.data(), n, 1e-5f);
    CHECK(bitwise_equal(in_place, out));
}

TEST_CASE("rope rotates adjacent pairs exactly as llama2.c does", "[kernels][pointwise]") {
    const int n_heads = 3, head_dim = 8, position = 17;
    const auto original = test::random_floats(n_heads * head_dim, 3);
    std::vector<float> vec = original;
    rope(vec.data(), n_heads, head_dim, position, {10000.0f});
    for (int i = 0; i < n_heads * head_dim; i += 2) {
        // llama2.c's loop body, verbatim in spirit.
        const int head_index = i % head_dim;
        const float freq = 1.0f / powf(10000.0f, static_cast<float>(head_index) / static_cast<float>(head_dim));
        const float val = static_cast<float>(position) * freq;
        const float fcr = cosf(val), fci = sinf(val);
        const float v0 = original[static_cast<std::size_t>(i)], v1 = original[static_cast<std::size_t>(i + 1)];
        REQUIRE(vec[static_cast<std::size_t>(i)] == v0 * fcr - v1 * fci);
        REQUIRE(vec[static_cast<std::size_t>(i + 1)] == v0 * fci + v1 * fcr);
        // And it is a rotation by position * theta^(-i/head_dim), in double.
        const double angle = position * std::pow(10000.0, -static_cast<double>(head_index) / head_dim);
        REQUIRE(std::fabs(vec[static_cast<std::size_t>(i)] - (v0 * std::cos(angle) - v1 * std::sin(angle))) < 1e-4);
    }
    std::vector<float> at_zero = original;
    rope(at_zero.data(), n_heads, head_dim, 0, {10000.0f});
    CHECK(bitwise_equal(at_zero, original));
    CHECK_THROWS_AS(rope(vec.data(), 1, 7, 0, {10000.0f}), lpu::Error);
    CHECK_THROWS_AS(rope(vec.data(), 1, 8, -1, {10000.0f}), lpu::Error);
}

TEST_CASE("rope on halves (GPT-NeoX, Qwen2), with frequency factors and linear scaling", "[kernels][pointwise]") {
    const int n_heads = 2, head_dim = 8, half = head_dim / 2, position = 9;
    const auto original = test::random_floats(n_heads * head_dim, 5);
    const std::vector<float> factors{1.0f, 2.0f, 4.0f, 8.0f};
    const float scale = 0.25f;
    std::vector<float> vec = original;
    rope(vec.data(), n_heads, head_dim, position, {500000.0f, scale, RopePairing::Halves, factors.data()});
    for (int head = 0; head < n_heads; ++head) {
        for (int pair = 0; pair < half; ++pair) {
            const auto first = static_cast<std::size_t>(head * head_dim + pair), second = first + half;
            const double angle = position * scale * std::pow(500000.0, -2.0 * pair / head_dim) / factors[static_cast<std::size_t>(pair)];
            const double v0 = original[first], v1 = original[second];
            CHECK(std::fabs(vec[first] - (v0 * std::cos(angle) - v1 * std::sin(angle))) < 1e-5);
            CHECK(std::fabs(vec[second] - (v0 * std::sin(angle) + v1 * std::cos(angle))) < 1e-5);
        }
    }
    // Halves and adjacent pairs are the same rotation of a permuted head.
    std::vector<float> halves = original, adjacent(original.size());
    for (int head = 0; head < n_heads; ++head) {
        for (int pair = 0; pair < half; ++pair) {
            adjacent[static_cast<std::size_t>(head * head_dim + 2 * pair)] = original[static_cast<std::size_t>(head * head_dim + pair)];
            adjacent[static_cast<std::size_t>(head * head_dim + 2 * pair + 1)] = original[static_cast<std::size_t>(head * head_dim + pair + half)];
        }
    }
    rope(halves.data(), n_heads, head_dim, position, {10000.0f, 1.0f, RopePairing::Halves});
    rope(adjacent.data(), n_heads, head_dim, position, {10000.0f});
    for (int head = 0; head < n_heads; ++head) {
        for (int pair = 0; pair < half; ++pair) {
            CHECK(halves[static_cast<std::size_t>(head * head_dim + pair)] == adjacent[static_cast<std::size_t>(head * head_dim + 2 * pair)]);
            CHECK(halves[static_cast<std::size_t>(head * head_dim + pair + half)] == adjacent[static_cast<std::size_t>(head * head_dim + 2 * pair + 1)]);
        }
    }
}

TEST_CASE("softmax is max-subtracted and sums to one", "[kernels][pointwise]") {
    std::vector<float> x = {1.0f, 2.0f, 3.0f, 1000.0f, -1000.0f};
    softmax(x.data(), 5);
    CHECK(x[3] == Approx(1.0f));
    CHECK(x[4] == 0.0f);
    std::vector<float> y = test::random_floats(37, 4, -5.0f, 5.0f);
    const std::vector<float> original = y;
    softmax(y.data(), 37);
    double denominator = 0.0;
    for (float v : original) denominator += std::exp(static_cast<double>(v));
    double total = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        REQUIRE(y[i] == Approx(std::exp(static_cast<double>(original[i])) / denominator).epsilon(1e-5));
        total += y[i];
    }
    CHECK(total == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("silu and swiglu follow llama2.c's float expressions", "[kernels][pointwise]") {
    const auto gate = test::random_floats(19, 5, -6.0f, 6.0f);
    const auto up = test::random_floats(19, 6);
    std::vector<float> activated = gate, gated = gate;
    silu(activated.data(), 19);
    swiglu(gated.data(), up.data(), 19);
    for (std::size_t i = 0; i < gate.size(); ++i) {
        float val = gate[i];
        val *= (1.0f / (1.0f + expf(-val)));
        REQUIRE(activated[i] == val);
        val *= up[i];
        REQUIRE(gated[i] == val);
        REQUIRE(activated[i] == Approx(gate[i] / (1.0 + std::exp(-static_cast<double>(gate[i])))).margin(1e-6));
    }
}
