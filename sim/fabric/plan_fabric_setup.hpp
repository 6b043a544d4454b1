#pragma once
// What every check of a plan on the fabric starts from, whether the fabric is
// simulated whole in one process (sim/fabric/plan_lockstep.hpp, sim/fabric/plan_fabric.hpp)
// or chip by chip across processes (sim/fabric/chip_fabric.hpp): the seeded crystals
// and links, the alignment parameters and tree, when the plan starts after the
// settling rounds, and the plan's transfers and deskew points over its steps.
// Every process derives the same setup from the same inputs.
#include <cstdint>
#include <vector>

#include "plan/plan.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/chip/link_model.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/clock/clock_fabric.hpp"
#include "sim/clock/oscillator.hpp"
#include "sim/clock/spanning_tree.hpp"
#include "sim/fabric/lockstep.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

struct PlanLockstepConfig {
    DriftBudget drift;               // crystals uniform in +-drift.crystal_ppm
    std::uint64_t seed = 1;          // crystals, wander and link jitter
    std::int64_t first_position = 0; // p0
    std::int64_t steps = 1;          // n consecutive decode steps
};

// Throws lpu::Error for steps outside [1, 1e6] or a negative first position.
void require_config(const PlanLockstepConfig& config);

struct FabricSetup {
    LinkModel links;
    AlignmentParams alignment;
    SpanningTree tree;
    std::vector<OscillatorParams> crystals;  // by chip
    // Calibration, then max_depth + 3 correction rounds: round 0 sets offsets,
    // the next max_depth + 1 learn rates top-down, the rest settle.
    std::int64_t settling_rounds = 0;
    // The first epoch boundary after every chip has taken its last settling
    // correction (the deepest lands within a level delay of its parent's round
    // value; one more level delay clears it).
    std::int64_t start_cycle = 0;
    // When the next round would be due: the plan must end before it.
    std::int64_t next_round_cycle = 0;

    FabricSetup(const topology::Topology& topology, const ChipSpec& spec, const PlanLockstepConfig& config);
};

// A ClockFabric after calibration and the settling rounds.
struct SettledFabric {
    FabricSetup setup;
    ClockFabric fabric;
    SettledFabric(const topology::Topology& topology, const ChipSpec& spec, const PlanLockstepConfig& config);
};

// A deskew point of one chip in one step, at a cycle of its aligned counter.
struct DeskewPoint {
    topology::ChipId chip = 0;
    std::int64_t cycle = 0;
    std::int64_t pad_cycles = 0;
};

struct PlanTransfers {
    // By step, then send cycle: the order each receive ring fills.
    std::vector<ScheduledTransfer> transfers;
    std::vector<std::int64_t> slack_cycles;  // per transfer, see PlanLockstepResult
    std::vector<DeskewPoint> deskews;        // by step, then chip, then cycle
    std::int64_t end_cycle = 0;              // when the last step ends
};

// The plan's steps config.first_position .. + config.steps, back to back from
// setup.start_cycle (see sim/fabric/plan_lockstep.hpp). Throws lpu::Error when the
// plan's chips are not in `topology` or a transfer does not fit its buffer.
PlanTransfers list_plan_transfers(const plan::Plan& plan, const topology::Topology& topology, const ChipSpec& spec,
                                  const PlanLockstepConfig& config, const FabricSetup& setup);

// How many of `steps` steps from `first_position` end before the next
// alignment round (at least 1 even when one does not: the check then says so).
std::int64_t steps_before_next_round(const plan::Plan& plan, std::int64_t first_position, std::int64_t steps,
                                     const FabricSetup& setup);

}  // namespace lpu::sim
