#pragma once
// Plan timing on the fabric: runs consecutive decode steps of a compiled plan
// on chips with drifting crystals, aligned by the RealScale protocol
// (sim/clock/clock_fabric.hpp, compensation on, as the compiler assumes), and checks
// every Send -> Recv in true time (sim/fabric/lockstep.hpp).
//
// Schedule: step k runs position p0 + k, retimed (plan/retime.hpp); its cycles
// are offset by the end cycles of the steps before it, so steps run back to
// back; step 0 starts at start_cycle on every chip's aligned counter.
//
// Start: the fabric first calibrates its link latencies and runs
// max_depth + 3 correction rounds (the settling of `lpu fabric`: round 0 sets
// offsets, the next max_depth + 1 learn rates top-down, the rest settle). The
// plan starts at the first epoch boundary after every chip has taken the last
// of those corrections, and must end before the next round would be due: the
// fabric's skew bound holds for one correction period without a correction,
// and the simulated counters are only valid after their last correction.
//
// Transfers: send cycle on the sender's counter, read cycle = the Recv's cycle
// on the receiver's; buffer = the Recv's buffer, its ring depth its size in
// vectors (rounded up); jitter stream = the route's first channel. The checker
// models one link: a route of h > 1 hops (cut-through, like
// collectives::FabricTiming) is checked with its h - 1 further hop latencies
// added to the send cycle (rounded up at the nominal clock). Transfers are
// listed by step, then send cycle, which is the order each receive ring fills.
#include <cstdint>
#include <vector>

#include "plan/plan.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/fabric/lockstep.hpp"
#include "sim/fabric/plan_fabric_setup.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

struct PlanLockstepResult {
    std::vector<ScheduledTransfer> transfers;
    // Per transfer: the skew slack, ceil(skew bound of the sender + skew bound
    // of the receiver), each hop_error_bound_cycles x tree depth under this
    // drift budget (the compiler's slack at the default budget).
    std::vector<std::int64_t> slack_cycles;
    std::int64_t start_cycle = 0;           // step 0's cycle 0 on every aligned counter
    std::int64_t end_cycle = 0;             // when the last step ends
    std::int64_t correction_period_cycles = 0;
    LockstepReport report;
    // The smallest margin over the transfers, in cycles of the receiver: how
    // early the last vector arrived before its read (negative when late).
    std::int64_t worst_margin_cycles = 0;
};

// Throws lpu::Error when the plan's chips are not in `topology`, the steps do
// not fit in one correction period, or a transfer does not fit its receive
// buffer (a plan bug: the message names the chip, buffer and sizes).
PlanLockstepResult check_plan_lockstep(const plan::Plan& plan, const topology::Topology& topology,
                                       const ChipSpec& spec, const PlanLockstepConfig& config);

// The same transfers checked again on the same clocks (same seed): used to
// show what happens when they are changed, e.g. with the slack removed.
LockstepReport recheck_plan_lockstep(const std::vector<ScheduledTransfer>& transfers,
                                     const topology::Topology& topology, const ChipSpec& spec,
                                     const PlanLockstepConfig& config);

}  // namespace lpu::sim
