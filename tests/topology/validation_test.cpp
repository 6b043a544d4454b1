#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "topology/topology.hpp"

using namespace lpu::topology;
using Catch::Matchers::Contains;

namespace {
std::vector<Chip> chips(std::size_t count, PortIndex ports = 4) { return std::vector<Chip>(count, Chip{ports, {}, {}, false}); }
Link link(ChipId a, PortIndex pa, ChipId b, PortIndex pb) { return {a, pa, b, pb, {}, {}}; }
}  // namespace

TEST_CASE("validation: a topology needs chips", "[topology][validation]") {
    CHECK_THROWS_WITH(Topology({}, {}), Contains("no chips"));
}

TEST_CASE("validation: port budget exceeded names chip and port", "[topology][validation]") {
    CHECK_THROWS_WITH(Topology(chips(2), {link(0, 0, 1, 4)}),
                      Contains("port budget exceeded") && Contains("port 4 of chip 1") && Contains("4 ports"));
}

TEST_CASE("validation: a port used twice names both links", "[topology][validation]") {
    CHECK_THROWS_WITH(Topology(chips(3), {link(0, 0, 1, 0), link(2, 0, 0, 0)}),
                      Contains("port 0 of chip 0 is used twice") && Contains("link 0") && Contains("link 1"));
}

TEST_CASE("validation: a dangling link names the missing chip", "[topology][validation]") {
    CHECK_THROWS_WITH(Topology(chips(2), {link(0, 0, 1, 0), link(1, 1, 7, 0)}),
                      Contains("link 1") && Contains("chip 7") && Contains("dangling"));
}

TEST_CASE("validation: a self-link is refused", "[topology][validation]") {
    CHECK_THROWS_WITH(Topology(chips(2), {link(0, 0, 1, 0), link(1, 1, 1, 2)}), Contains("link 1 connects chip 1 to itself"));
}

TEST_CASE("validation: a disconnected graph names an unreachable chip", "[topology][validation]") {
    CHECK_THROWS_WITH(Topology(chips(4), {link(0, 0, 1, 0), link(2, 0, 3, 0)}),
                      Contains("disconnected") && Contains("chip 2 is unreachable"));
    CHECK_NOTHROW(Topology(chips(1), {}));
}

TEST_CASE("validation: link overrides must be positive", "[topology][validation]") {
    Link bad = link(0, 0, 1, 0);
    bad.latency_ps = 0;
    CHECK_THROWS_WITH(Topology(chips(2), {bad}), Contains("latency_ps must be positive"));
    bad.latency_ps = 1000;
    bad.bandwidth_bytes_per_s = -5;
    CHECK_THROWS_WITH(Topology(chips(2), {bad}), Contains("bandwidth_bytes_per_s must be positive"));
}

TEST_CASE("validation: hierarchy and info must be consistent", "[topology][validation]") {
    auto mixed = chips(2);
    mixed[0].node = 0;
    CHECK_THROWS_WITH(Topology(mixed, {link(0, 0, 1, 0)}), Contains("chip 1: node/rack must be given for every chip"));
    CHECK_THROWS_WITH(Topology(chips(2), {link(0, 0, 1, 0)}, {"x", {3}, {}}), Contains("grid_dims multiply to 3"));
    CHECK_THROWS_WITH(Topology(chips(2), {link(0, 0, 1, 0)}, {"x", {}, {5}}), Contains("representative_chips names chip 5"));
}
