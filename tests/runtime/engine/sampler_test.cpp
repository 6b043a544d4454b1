#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "base/error.hpp"
#include "runtime/engine/sampler.hpp"

using lpu::engine::Sampler;
using lpu::engine::SamplingOptions;

TEST_CASE("greedy sampling is argmax, first index on ties", "[engine][sampler]") {
    std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f};
    Sampler greedy({.temperature = 0.0f});
    CHECK(greedy.sample(logits) == 1);
    CHECK(lpu::engine::argmax(logits) == 1);
}

TEST_CASE("a seed fixes the sampled sequence", "[engine][sampler]") {
    const std::vector<float> base = {1.0f, 1.5f, 0.2f, 1.4f, -0.3f, 0.9f};
    const auto draw = [&](std::uint64_t seed) {
        Sampler sampler({.temperature = 1.0f, .top_p = 1.0f, .top_k = 0, .seed = seed});
        std::vector<int> picks;
        for (int i = 0; i < 200; ++i) {
            auto logits = base;
            picks.push_back(sampler.sample(logits));
        }
        return picks;
    };
    CHECK(draw(7) == draw(7));
    CHECK(draw(7) != draw(8));
}

TEST_CASE("top-k 1 and a tiny top-p both reduce to greedy", "[engine][sampler]") {
    const std::vector<float> base = {0.1f, 0.3f, 3.0f, 0.2f};
    Sampler top_k({.temperature = 1.5f, .top_p = 1.0f, .top_k = 1, .seed = 3});
    Sampler top_p({.temperature = 1.5f, .top_p = 0.01f, .top_k = 0, .seed = 3});
    for (int i = 0; i < 50; ++i) {
        auto a = base, b = base;
        CHECK(top_k.sample(a) == 2);
        CHECK(top_p.sample(b) == 2);
    }
}

TEST_CASE("temperature sampling follows the softmax distribution", "[engine][sampler]") {
    // logits log(1), log(2), log(3), log(4): probabilities 0.1, 0.2, 0.3, 0.4.
    const std::vector<float> base = {0.0f, 0.693147f, 1.098612f, 1.386294f};
    Sampler sampler({.temperature = 1.0f, .top_p = 1.0f, .top_k = 0, .seed = 11});
    std::map<int, int> counts;
    const int draws = 20000;
    for (int i = 0; i < draws; ++i) {
        auto logits = base;
        ++counts[sampler.sample(logits)];
    }
    for (int token = 0; token < 4; ++token) {
        CHECK(counts[token] / double(draws) == Approx(0.1 * (token + 1)).margin(0.015));
    }
}

TEST_CASE("top-k keeps only the k most likely tokens", "[engine][sampler]") {
    const std::vector<float> base = {1.0f, 0.9f, 0.8f, 0.7f, 0.6f};
    Sampler sampler({.temperature = 1.0f, .top_p = 1.0f, .top_k = 2, .seed = 5});
    for (int i = 0; i < 200; ++i) {
        auto logits = base;
        CHECK(sampler.sample(logits) <= 1);
    }
}

TEST_CASE("out-of-range sampling options are refused", "[engine][sampler]") {
    CHECK_THROWS_AS(Sampler({.temperature = -1.0f}), lpu::Error);
    CHECK_THROWS_AS(Sampler({.temperature = 1.0f, .top_p = 0.0f}), lpu::Error);
    CHECK_THROWS_AS(Sampler({.temperature = 1.0f, .top_p = 1.5f}), lpu::Error);
    CHECK_THROWS_AS(Sampler({.temperature = 1.0f, .top_p = 0.9f, .top_k = -2}), lpu::Error);
}
