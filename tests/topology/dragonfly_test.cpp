#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "topology/dragonfly.hpp"

using namespace lpu::topology;

namespace {
// Links per unordered pair of racks.
std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> rack_pair_links(const Topology& t) {
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> pairs;
    for (const auto& link : t.links()) {
        const auto a = *t.chip(link.a).rack, b = *t.chip(link.b).rack;
        if (a != b) ++pairs[{std::min(a, b), std::max(a, b)}];
    }
    return pairs;
}
}  // namespace

TEST_CASE("dragonfly: one rack is 9 fully connected nodes of 8, 2 links per node pair", "[topology][dragonfly]") {
    const auto t = dragonfly({1, false});
    CHECK(t.chip_count() == 72);
    // 9 nodes x 28 local links + 36 node pairs x 2 links.
    CHECK(t.link_count() == 9 * 28 + 36 * 2);
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> node_pairs;
    for (const auto& link : t.links()) {
        const auto a = *t.chip(link.a).node, b = *t.chip(link.b).node;
        if (a != b) ++node_pairs[{std::min(a, b), std::max(a, b)}];
    }
    CHECK(node_pairs.size() == 36);
    for (const auto& [pair, count] : node_pairs) CHECK(count == 2);
    // Local ports 0-6, intra-rack global ports 7-8; 9-15 unused in a lone rack.
    for (ChipId id = 0; id < 72; ++id) {
        const auto n = t.neighbours(id);
        REQUIRE(n.size() == 9);
        CHECK(n.back().port == 8);
    }
}

TEST_CASE("dragonfly: every pair of racks is directly connected", "[topology][dragonfly]") {
    for (std::uint32_t racks : {2u, 8u, 13u}) {
        const auto t = dragonfly({racks, false});
        const auto pairs = rack_pair_links(t);
        CHECK(pairs.size() == racks * (racks - 1) / 2);
        for (const auto& [pair, count] : pairs) CHECK(count == 144 / (racks - 1));
        for (ChipId id = 0; id < t.chip_count(); ++id) {
            for (const auto& adjacency : t.neighbours(id)) CHECK(adjacency.port <= 10);
        }
    }
}

// How fast it builds is the benchmarks' business (a shared machine makes any
// limit here flaky); CTest's timeout still fails a build that hangs.
TEST_CASE("dragonfly: the 10,440-chip system builds and validates", "[topology][dragonfly]") {
    const auto t = dragonfly({145, true});
    CHECK(t.chip_count() == 10'440);
    // 145 x (9 x 28 + 72) rack-internal links + one per rack pair.
    CHECK(t.link_count() == 145 * 324 + 145 * 144 / 2);
    // Every chip uses exactly its 11 ports: 7 local + 2 intra-rack + 2 inter-rack.
    for (ChipId id = 0; id < t.chip_count(); ++id) REQUIRE(t.neighbours(id).size() == 11);
    const auto pairs = rack_pair_links(t);
    CHECK(pairs.size() == 145 * 144 / 2);
    std::size_t spare = 0;
    for (const auto& chip : t.chips()) spare += chip.spare;
    CHECK(spare == 145 * 8);
    CHECK(t.info().name == "dragonfly:145,spare");
}

TEST_CASE("dragonfly: rack counts outside 1..145 are refused", "[topology][dragonfly]") {
    CHECK_THROWS_AS(dragonfly({0, false}), lpu::Error);
    CHECK_THROWS_WITH(dragonfly({146, false}), Catch::Matchers::Contains("racks must be 1..145"));
}
