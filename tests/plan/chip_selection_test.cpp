#include "plan/chip_selection.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "tests/plan/sample_plan.hpp"

using Catch::Matchers::Contains;
namespace plan = lpu::plan;
using Chips = std::set<lpu::topology::ChipId>;

TEST_CASE("no chips asked for selects every chip of the plan", "[plan][chip_selection]") {
    CHECK(plan::select_chips(plan::testing::sample_plan(), {}) == Chips{0, 1});
}

TEST_CASE("the chips asked for are selected once each", "[plan][chip_selection]") {
    CHECK(plan::select_chips(plan::testing::sample_plan(), {1, 1}) == Chips{1});
}

TEST_CASE("a chip that is not in the plan is refused by id", "[plan][chip_selection]") {
    CHECK_THROWS_WITH(plan::select_chips(plan::testing::sample_plan(), {0, 5}),
                      Contains("chip 5 is not a chip of the plan (its chip ids run from 0 to 1)"));
    CHECK_THROWS_AS(plan::select_chips(plan::Plan{}, {0}), lpu::Error);
}
