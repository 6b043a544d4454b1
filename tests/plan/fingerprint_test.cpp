#include "plan/fingerprint.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "tests/plan/sample_plan.hpp"

using Catch::Matchers::Contains;
using lpu::plan::testing::sample_plan;
namespace plan = lpu::plan;

TEST_CASE("check_fingerprint accepts the model and system the plan was compiled for", "[plan]") {
    const auto p = sample_plan();
    REQUIRE_NOTHROW(plan::check_fingerprint(p, p.model, p.system));
}

TEST_CASE("check_fingerprint goes by the hashes: names are for people", "[plan]") {
    const auto p = sample_plan();
    auto renamed = p.model;
    renamed.description = "the same weights under another name";
    auto described = p.system;
    described.topology = "a file with the same wiring";
    REQUIRE_NOTHROW(plan::check_fingerprint(p, renamed, described));
}

TEST_CASE("check_fingerprint names the model or system that differs", "[plan]") {
    const auto p = sample_plan();
    plan::ModelFingerprint other_model{0x99, "big dim 512"};
    REQUIRE_THROWS_WITH(plan::check_fingerprint(p, other_model, p.system),
                        Contains("plan was compiled for model 'tiny dim 64") && Contains("this is model 'big dim 512'"));
    // Same description, different weights: the hash tells them apart.
    other_model = p.model;
    other_model.hash ^= 1;
    REQUIRE_THROWS_WITH(plan::check_fingerprint(p, other_model, p.system), Contains("0x000000001234abcc"));

    auto other_system = p.system;
    other_system.topology = "torus:2x2";
    other_system.hash ^= 1;
    REQUIRE_THROWS_WITH(plan::check_fingerprint(p, p.model, other_system),
                        Contains("compiled for system topology 'ring:2' with chip spec 'tsp'") &&
                            Contains("this is system topology 'torus:2x2'"));
}
