#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "topology/builders.hpp"

using namespace lpu::topology;
using Catch::Matchers::Contains;

TEST_CASE("fully connected: n(n-1)/2 links, n-1 ports each", "[topology][builders]") {
    const auto t = fully_connected(8);
    CHECK(t.chip_count() == 8);
    CHECK(t.link_count() == 28);
    for (ChipId id = 0; id < 8; ++id) CHECK(t.neighbours(id).size() == 7);
    CHECK(t.info().name == "fc:8");
    CHECK(fully_connected(17).link_count() == 136);
    CHECK_THROWS_WITH(fully_connected(18), Contains("fc:18 needs 17 ports per chip, but a chip has 16"));
    CHECK_THROWS_AS(fully_connected(0), lpu::Error);
    CHECK(fully_connected(1).link_count() == 0);
}

TEST_CASE("ring: n links, two ports per chip", "[topology][builders]") {
    const auto t = ring(16);
    CHECK(t.link_count() == 16);
    for (ChipId id = 0; id < 16; ++id) {
        const auto n = t.neighbours(id);
        REQUIRE(n.size() == 2);
        CHECK(n[0].peer == (id + 1) % 16);
        CHECK(n[1].peer == (id + 15) % 16);
    }
    CHECK_THROWS_WITH(ring(2), Contains("at least 3"));
}

TEST_CASE("torus: 2d links per chip, wrap-around", "[topology][builders]") {
    const auto t = torus({4, 4, 4});
    CHECK(t.chip_count() == 64);
    CHECK(t.link_count() == 64 * 3);
    for (ChipId id = 0; id < 64; ++id) CHECK(t.neighbours(id).size() == 6);
    CHECK(t.info().grid_dims == std::vector<std::uint32_t>{4, 4, 4});
    CHECK(t.info().name == "torus:4x4x4");
    CHECK_THROWS_WITH(torus({2, 4}), Contains("at least 3"));
    CHECK_THROWS_WITH(torus({3, 3, 3}, 4), Contains("needs 6 ports per chip"));
}

TEST_CASE("mesh: no wrap-around, corner chips have fewer links", "[topology][builders]") {
    const auto t = mesh({8, 8});
    CHECK(t.chip_count() == 64);
    CHECK(t.link_count() == 2 * 8 * 7);
    CHECK(t.neighbours(0).size() == 2);
    CHECK(t.neighbours(9).size() == 4);
    CHECK(mesh({1, 5}).link_count() == 4);
    CHECK_THROWS_WITH(mesh({1000, 1000, 1000}), Contains("limit"));
}
