// check_plan_lockstep on the hand-made 2-chip sample plan: the transfers it
// derives (steps back to back from an epoch boundary, ring depth in vectors,
// the route's first channel as jitter stream) and what the checker makes of
// them. The sample plan gives its transfers 100 cycles, less than a link's
// latency, so they are late; compiled plans are checked in
// tests/runtime/compiler/plan_lockstep_test.cpp.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_lockstep.hpp"
#include "tests/plan/sample_plan.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::sim {
namespace {

PlanLockstepConfig steps_from(std::int64_t first_position, std::int64_t steps) {
    PlanLockstepConfig config;
    config.first_position = first_position;
    config.steps = steps;
    return config;
}

TEST_CASE("plan lockstep: steps run back to back from an epoch boundary", "[sim][plan_lockstep]") {
    const plan::Plan plan = plan::testing::sample_plan();
    const auto topology = topology::topology_from_spec("fc:2");
    const ChipSpec spec;
    const PlanLockstepResult result = check_plan_lockstep(plan, topology, spec, steps_from(3, 2));

    CHECK(result.start_cycle % 4096 == 0);
    const plan::Retimer retimer(plan);
    const std::int64_t first_end = retimer.step_end_cycle(3);
    CHECK(result.end_cycle == result.start_cycle + first_end + retimer.step_end_cycle(4));

    // Per step: chip 0 -> 1 (sent at cycle 76 at position 3) before chip 1 -> 0 (at 100).
    REQUIRE(result.transfers.size() == 4);
    REQUIRE(result.slack_cycles.size() == 4);
    const plan::StepTiming timing = retimer.timing(3);
    const ScheduledTransfer& from_first = result.transfers[0];
    CHECK(from_first.source == 0);
    CHECK(from_first.destination == 1);
    CHECK(from_first.send_cycle == result.start_cycle + timing.cycles[0][2]);
    CHECK(from_first.read_cycle == result.start_cycle + timing.cycles[1][2]);
    CHECK(from_first.bytes == 256);
    CHECK(from_first.buffer == 3);
    CHECK(from_first.buffer_vectors == 2);  // 512 bytes in 320-byte vectors, rounded up
    CHECK(from_first.jitter_stream == 0);
    // Step 2 is position 4, offset by step 1's end.
    CHECK(result.transfers[2].send_cycle == result.start_cycle + first_end + retimer.timing(4).cycles[0][2]);
    CHECK(result.report.transfers == 4);
}

TEST_CASE("plan lockstep: transfers given less than a link's latency are late", "[sim][plan_lockstep]") {
    const PlanLockstepResult result = check_plan_lockstep(
        plan::testing::sample_plan(), topology::topology_from_spec("fc:2"), ChipSpec{}, steps_from(0, 8));
    REQUIRE_FALSE(result.report.ok());
    for (const LockstepViolation& violation : result.report.violations) CHECK(violation.kind == ViolationKind::late);
    CHECK(result.worst_margin_cycles < 0);
}

TEST_CASE("plan lockstep: steps past the next alignment round are refused", "[sim][plan_lockstep]") {
    // Attention grows 4 cycles per position: 400k-cycle steps at position 1e5.
    CHECK_THROWS_WITH(check_plan_lockstep(plan::testing::sample_plan(), topology::topology_from_spec("fc:2"),
                                          ChipSpec{}, steps_from(100'000, 2'000)),
                      Catch::Contains("after the next alignment round"));
    CHECK_THROWS_AS(check_plan_lockstep(plan::testing::sample_plan(), topology::topology_from_spec("fc:2"),
                                        ChipSpec{}, steps_from(0, 0)),
                    Error);
}

}  // namespace
}  // namespace lpu::sim
