// The router of a mixture of experts as llama.cpp runs Mixtral: softmax over
// every expert, the k most probable (ties to the lower index), renormalised.
#include "runtime/kernels/expert_routing.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using lpu::kernels::route_token;

TEST_CASE("expert routing: the k most probable experts, weights renormalised over them", "[kernels][moe]") {
    const std::vector<float> logits{0.5f, 2.0f, -1.0f, 1.0f};
    const auto chosen = route_token(logits, 2);
    REQUIRE(chosen.size() == 2);
    CHECK(chosen[0].expert == 1);
    CHECK(chosen[1].expert == 3);
    // softmax renormalised over the two: e^2 / (e^2 + e^1)
    CHECK(chosen[0].weight == Approx(std::exp(2.0) / (std::exp(2.0) + std::exp(1.0))).epsilon(1e-6));
    CHECK(chosen[0].weight + chosen[1].weight == Approx(1.0f).epsilon(1e-6));

    const auto all = route_token(logits, 4);
    CHECK(all[3].expert == 2);
    const auto one = route_token(logits, 1);
    CHECK(one[0].expert == 1);
    CHECK(one[0].weight == 1.0f);
}

TEST_CASE("expert routing: ties go to the lower index; k outside 1..experts is refused", "[kernels][moe]") {
    const std::vector<float> tied{1.0f, 3.0f, 3.0f, 3.0f};
    const auto chosen = route_token(tied, 2);
    CHECK(chosen[0].expert == 1);
    CHECK(chosen[1].expert == 2);
    CHECK(chosen[0].weight == 0.5f);
    CHECK_THROWS_WITH(route_token(tied, 0), Catch::Contains("route 0 experts of 4"));
    CHECK_THROWS_WITH(route_token(tied, 5), Catch::Contains("route 5 experts of 4"));
}
