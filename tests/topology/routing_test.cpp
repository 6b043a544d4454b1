#include <set>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "topology/builders.hpp"
#include "topology/dragonfly.hpp"
#include "topology/routing.hpp"

using namespace lpu::topology;

namespace {
// A route is a real walk: consecutive channels leave the chip the previous one entered.
void check_route(const Topology& t, const Route& route, ChipId source, ChipId destination) {
    REQUIRE(route.chips.size() == route.channels.size() + 1);
    CHECK(route.chips.front() == source);
    CHECK(route.chips.back() == destination);
    for (std::size_t i = 0; i < route.channels.size(); ++i) {
        CHECK(t.channel_source(route.channels[i]) == route.chips[i]);
        CHECK(t.channel_target(route.channels[i]) == route.chips[i + 1]);
    }
    CHECK(std::set<ChipId>(route.chips.begin(), route.chips.end()).size() == route.chips.size());
}
}  // namespace

TEST_CASE("routing: hop distances on a ring", "[topology][routing]") {
    const auto t = ring(8);
    CHECK(hop_distances(t, 0) == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 3, 2, 1});
    CHECK(hop_count(t, 2, 7) == 3);
    CHECK_THROWS_AS(hop_count(t, 0, 8), lpu::Error);
}

TEST_CASE("routing: minimal routes in port order, bounded", "[topology][routing]") {
    const auto t = torus({4, 4});
    const auto two = minimal_routes(t, 0, 5);
    REQUIRE(two.size() == 2);
    CHECK(two[0].chips == std::vector<ChipId>{0, 4, 5});  // port 0 (+x) first
    CHECK(two[1].chips == std::vector<ChipId>{0, 1, 5});
    // (2,2) away: both directions minimal in both dimensions: 4 x C(4,2) = 24 routes.
    CHECK(minimal_routes(t, 0, 10, 100).size() == 24);
    const auto bounded = minimal_routes(t, 0, 10, 16);
    CHECK(bounded.size() == 16);
    for (const auto& route : bounded) {
        CHECK(route.hops() == 4);
        check_route(t, route, 0, 10);
    }
    CHECK(minimal_routes(t, 3, 3).front().hops() == 0);
    CHECK(minimal_routes(t, 0, 10, 16).front().chips == bounded.front().chips);  // deterministic
}

TEST_CASE("routing: indirect routes are longer and loop-free", "[topology][routing]") {
    const auto r = ring(8);
    const auto around = indirect_routes(r, 0, 2);
    REQUIRE(!around.empty());
    CHECK(around.front().chips == std::vector<ChipId>{0, 7, 6, 5, 4, 3, 2});  // the other way round
    for (const auto& route : around) check_route(r, route, 0, 2);

    const auto fc = fully_connected(4);
    const auto via = indirect_routes(fc, 0, 1);
    REQUIRE(via.size() == 2);
    CHECK(via[0].chips == std::vector<ChipId>{0, 2, 1});
    CHECK(via[1].chips == std::vector<ChipId>{0, 3, 1});
    CHECK(indirect_routes(fc, 2, 2).empty());
}

TEST_CASE("routing: Dragonfly indirect routes go through a third rack", "[topology][routing][dragonfly]") {
    const auto t = dragonfly({4, false});
    const ChipId source = 3, destination = 72 + 40;  // rack 0 -> rack 1
    const auto minimal = minimal_routes(t, source, destination);
    REQUIRE(!minimal.empty());
    for (const auto& route : minimal) {
        check_route(t, route, source, destination);
        CHECK(route.hops() == hop_count(t, source, destination));
    }
    const auto indirect = indirect_routes(t, source, destination);
    REQUIRE(indirect.size() == 2);  // via rack 2 and via rack 3
    std::set<std::uint32_t> third_racks;
    for (const auto& route : indirect) {
        check_route(t, route, source, destination);
        CHECK(route.hops() > minimal.front().hops());
        for (ChipId chip : route.chips) {
            const auto rack = *t.chip(chip).rack;
            if (rack > 1) third_racks.insert(rack);
        }
    }
    CHECK(third_racks == std::set<std::uint32_t>{2, 3});
}
