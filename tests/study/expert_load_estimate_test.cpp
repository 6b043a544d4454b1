#include "study/expert_load_estimate.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using lpu::study::estimate_expert_load;

TEST_CASE("expert load: a uniform router spreads tokens evenly, a skewed one loads the first experts", "[study][moe]") {
    const auto uniform = estimate_expert_load(8, 2, 0.0, 16384);
    REQUIRE(uniform.share.size() == 8);
    CHECK(std::accumulate(uniform.share.begin(), uniform.share.end(), 0.0) == Approx(1.0));
    for (double share : uniform.share) CHECK(share == Approx(1.0 / 8).margin(0.01));
    CHECK(uniform.busiest_over_mean < 1.05);

    const auto skewed = estimate_expert_load(8, 2, 1.0, 16384);
    CHECK(std::accumulate(skewed.share.begin(), skewed.share.end(), 0.0) == Approx(1.0));
    CHECK(skewed.share.front() > 2 * skewed.share.back());
    CHECK(skewed.busiest_over_mean > 1.5);
    // Top 2 of 8 without replacement: no expert takes more than half of the routed pairs.
    CHECK(skewed.share.front() <= 0.5);
    // The same seed, the same estimate.
    CHECK(estimate_expert_load(8, 2, 1.0, 16384).share == skewed.share);
}

TEST_CASE("expert load: bad routing parameters are refused", "[study][moe]") {
    CHECK_THROWS_WITH(estimate_expert_load(8, 9, 0.0, 10), Catch::Contains("between 1 and its 8 experts"));
    CHECK_THROWS_WITH(estimate_expert_load(8, 2, -1.0, 10), Catch::Contains("a routing skew must be 0"));
    CHECK_THROWS_WITH(estimate_expert_load(8, 2, 0.0, 0), Catch::Contains("at least one token"));
}
