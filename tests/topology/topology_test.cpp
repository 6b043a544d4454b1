#include <catch2/catch.hpp>

#include "topology/topology.hpp"

using namespace lpu::topology;

TEST_CASE("channels are two per link, one per direction", "[topology]") {
    // A triangle with the 0-1 link on ports 5/3.
    const Topology t({Chip{}, Chip{}, Chip{}}, {{0, 5, 1, 3, {}, {}}, {1, 0, 2, 0, {}, {}}, {2, 1, 0, 0, {}, {}}});
    CHECK(t.channel_count() == 6);
    CHECK(channel_id(1, Direction::b_to_a) == 3);
    CHECK(channel_link(3) == 1);
    CHECK(t.channel_source(channel_id(0, Direction::a_to_b)) == 0);
    CHECK(t.channel_target(channel_id(0, Direction::a_to_b)) == 1);
    CHECK(t.channel_source(channel_id(0, Direction::b_to_a)) == 1);
    CHECK(t.channel_target(channel_id(0, Direction::b_to_a)) == 0);
    CHECK(t.ports_used() == 6);
    CHECK(t.ports_total() == 48);
}

TEST_CASE("neighbours are listed in port order with their outgoing channel", "[topology]") {
    const Topology t({Chip{}, Chip{}, Chip{}}, {{0, 5, 1, 3, {}, {}}, {1, 0, 2, 0, {}, {}}, {2, 1, 0, 0, {}, {}}});
    const auto n0 = t.neighbours(0);
    REQUIRE(n0.size() == 2);
    CHECK(n0[0].port == 0);
    CHECK(n0[0].peer == 2);
    CHECK(n0[0].peer_port == 1);
    CHECK(n0[1].port == 5);
    CHECK(n0[1].peer == 1);
    for (ChipId chip = 0; chip < 3; ++chip) {
        for (const auto& adjacency : t.neighbours(chip)) {
            CHECK(t.channel_source(adjacency.outgoing) == chip);
            CHECK(t.channel_target(adjacency.outgoing) == adjacency.peer);
        }
    }
}
