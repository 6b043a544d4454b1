#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "topology/topology_spec.hpp"
#include "tests/support/paths.hpp"

using namespace lpu::topology;
using Catch::Matchers::Contains;

TEST_CASE("spec: every family builds the documented size", "[topology][spec]") {
    CHECK(topology_from_spec("fc:8").chip_count() == 8);
    CHECK(topology_from_spec("ring:16").link_count() == 16);
    CHECK(topology_from_spec("torus:4x4x4").chip_count() == 64);
    CHECK(topology_from_spec("mesh:8x8").link_count() == 112);
    CHECK(topology_from_spec("dragonfly:2").chip_count() == 144);
    const auto spare = topology_from_spec("dragonfly:1,spare");
    CHECK(spare.chip(71).spare);
    CHECK_FALSE(spare.chip(63).spare);
}

TEST_CASE("spec: a file path loads the file", "[topology][spec]") {
    const auto t = topology_from_spec(lpu::test::source_dir().string() + "/examples/topologies/bowtie.json");
    CHECK(t.chip_count() == 6);
    CHECK(t.info().name == "bowtie");
}

TEST_CASE("spec: bad specs name the problem", "[topology][spec]") {
    CHECK_THROWS_WITH(topology_from_spec("fc:"), Contains("bad topology spec 'fc:'") && Contains("count ''"));
    CHECK_THROWS_WITH(topology_from_spec("ring:x"), Contains("'x' is not a whole number"));
    CHECK_THROWS_WITH(topology_from_spec("torus:4"), Contains("expected 2 or 3 extents"));
    CHECK_THROWS_WITH(topology_from_spec("torus:4x4x4x4"), Contains("expected 2 or 3 extents"));
    CHECK_THROWS_WITH(topology_from_spec("mesh:4x-1"), Contains("not a whole number"));
    CHECK_THROWS_WITH(topology_from_spec("dragonfly:2,extra"), Contains("',spare'"));
    CHECK_THROWS_WITH(topology_from_spec("dragonfly:146"), Contains("1..145"));
    CHECK_THROWS_WITH(topology_from_spec("fc:99999999999"), Contains("not a whole number"));
    CHECK_THROWS_WITH(topology_from_spec("hypercube:4"), Contains("not a known shape and no such file"));
    CHECK_THROWS_WITH(topology_from_spec("/nonexistent/t.json"), Contains("no such file"));
}
