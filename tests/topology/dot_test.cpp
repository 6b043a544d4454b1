#include <catch2/catch.hpp>

#include "topology/builders.hpp"
#include "topology/dot.hpp"
#include "topology/dragonfly.hpp"

using namespace lpu::topology;
using Catch::Matchers::Contains;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t found = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++found;
    return found;
}
}  // namespace

TEST_CASE("dot: small topologies are drawn chip by chip", "[topology][dot]") {
    const auto dot = topology_to_dot(ring(5));
    CHECK(dot.rfind("graph topology {", 0) == 0);
    CHECK(count(dot, " -- ") == 5);
    CHECK_THAT(dot, Contains("c4 -- c0"));
    CHECK_THAT(dot, Contains("taillabel"));
}

TEST_CASE("dot: a rack clusters chips by node and dashes spare chips", "[topology][dot]") {
    const auto dot = topology_to_dot(dragonfly({1, true}));
    CHECK(count(dot, "subgraph cluster_node") == 9);
    CHECK(count(dot, "style=dashed") == 8);
    CHECK(count(dot, " -- ") == 324);
}

TEST_CASE("dot: large systems are condensed and say so", "[topology][dot]") {
    const auto nodes = topology_to_dot(dragonfly({4, false}));
    CHECK_THAT(nodes, Contains("condensed to one vertex per node"));
    CHECK(count(nodes, "[label=\"node ") == 36);
    const auto racks = topology_to_dot(dragonfly({145, false}));
    CHECK_THAT(racks, Contains("condensed to one vertex per rack"));
    CHECK(count(racks, " -- ") == 145 * 144 / 2);
}
