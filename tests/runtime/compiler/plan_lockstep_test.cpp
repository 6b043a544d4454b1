// Compiled plans run in lockstep on the drifting RealScale fabric: over 64
// back-to-back decode steps, with crystals at +-100 ppm aligned by the
// protocol, no transfer arrives late. And the skew slack the compiler adds is
// what makes it so: the same transfers read `slack` cycles earlier arrive late.
//
// Overwrites: each message lands in vector slots of its own in the receiving
// buffer's ring, so with tp 4 (three 64-byte messages per phase into one
// buffer) the compiler gives receive buffers one vector per message of a
// collective; none is overwritten before it is read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_lockstep.hpp"
#include "tests/support/model_shapes.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::compiler {
namespace {

struct Case {
    std::string topology;
    int tp = 1;
    int pp = 1;
};

const Case full_node{"fc:8", 4, 2};
const Case rack{"dragonfly:1", 2, 4};

constexpr std::int64_t steps = 64;
constexpr std::int64_t positions = 256;

struct CompiledCase {
    sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    topology::Topology topology;
    plan::Plan plan;

    explicit CompiledCase(const Case& grid) : topology(topology::topology_from_spec(grid.topology)) {
        const model::ModelConfig config = test::stories260k_config();
        CompileOptions options;
        options.tp = grid.tp;
        options.pp = grid.pp;
        options.positions = static_cast<int>(positions);
        plan = compile_plan(config, shape_fingerprint(config), {&topology, grid.topology, &spec}, options);
    }
};

sim::PlanLockstepConfig config_for(std::uint64_t seed) {
    sim::PlanLockstepConfig config;
    config.drift.crystal_ppm = 100.0;
    config.seed = seed;
    config.first_position = positions - steps;  // the slowest steps, up to the last position
    config.steps = steps;
    return config;
}

std::size_t count_of(const sim::LockstepReport& report, sim::ViolationKind kind) {
    return static_cast<std::size_t>(std::count_if(report.violations.begin(), report.violations.end(),
                                                  [&](const sim::LockstepViolation& v) { return v.kind == kind; }));
}

void check_in_lockstep(const Case& grid, sim::ViolationKind kind) {
    const CompiledCase compiled(grid);
    for (const std::uint64_t seed : {1, 2, 3}) {
        CAPTURE(grid.topology, seed);
        const sim::PlanLockstepResult result =
            sim::check_plan_lockstep(compiled.plan, compiled.topology, compiled.spec, config_for(seed));
        REQUIRE(result.report.transfers > 0);
        CHECK(result.report.transfers == result.transfers.size());
        INFO((result.report.ok() ? std::string() : sim::describe(result.report.violations.front())));
        CHECK(count_of(result.report, kind) == 0);
        CHECK(result.worst_margin_cycles >= 0);
    }
}

TEST_CASE("compiled plans: no transfer arrives late on the drifting fabric", "[compiler][lockstep]") {
    check_in_lockstep(GENERATE(full_node, rack), sim::ViolationKind::late);
}

TEST_CASE("compiled plans: no transfer is overwritten (tp 2)", "[compiler][lockstep]") {
    check_in_lockstep(rack, sim::ViolationKind::overwritten);
}

TEST_CASE("compiled plans: no transfer is overwritten (tp 4: several messages per receive buffer)",
          "[compiler][lockstep]") {
    check_in_lockstep(full_node, sim::ViolationKind::overwritten);
}

TEST_CASE("without the compiler's skew slack the same transfers arrive late", "[compiler][lockstep]") {
    const Case grid = GENERATE(full_node, rack);
    CAPTURE(grid.topology);
    const CompiledCase compiled(grid);
    const sim::PlanLockstepConfig config = config_for(1);
    const sim::PlanLockstepResult result =
        sim::check_plan_lockstep(compiled.plan, compiled.topology, compiled.spec, config);
    REQUIRE(count_of(result.report, sim::ViolationKind::late) == 0);

    std::vector<sim::ScheduledTransfer> unslacked = result.transfers;
    for (std::size_t i = 0; i < unslacked.size(); ++i) unslacked[i].read_cycle -= result.slack_cycles[i];
    const sim::LockstepReport report =
        sim::recheck_plan_lockstep(unslacked, compiled.topology, compiled.spec, config);
    CHECK(count_of(report, sim::ViolationKind::late) > 0);
}

}  // namespace
}  // namespace lpu::compiler
