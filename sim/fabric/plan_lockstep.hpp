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
// of those corrections (or, with before_next_round, at the last one that lets
// it end in time), and must end before the next round would be due: the
// fabric's skew bound holds for one correction period without a correction,
// and the simulated counters are only valid after their last correction.
//
// Transfers: send cycle on the sender's counter, read cycle = the Recv's cycle
// on the receiver's; buffer = the Recv's buffer, a ring of its size in vectors
// (rounded up) that fills in the receiver's Recv order, step after step
// (sim/fabric/receive_ring.hpp); jitter stream = the route's first channel. The checker
// models one link: a route of h > 1 hops (cut-through, like
// collectives::FabricTiming) is checked with its h - 1 further hop latencies
// added to the send cycle (rounded up at the nominal clock). Transfers are
// listed by step, then send cycle.
#include <cstdint>
#include <string>
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

// The check every executor of a plan makes before it trusts it (lpu run, lpu
// compile, lpu sim, lpu sweep): the plan on the fabric the compiler plans for
// (crystals within the default drift budget, seed 1), over every step of its
// repeating pattern, where that pattern is hardest.
//
// What repeats: at one position every step is the same schedule, run back to
// back; each message's ring slots are fixed by Recv order (sim/fabric/receive_ring.hpp),
// so it meets the same later messages in every step; and the HAC epochs (4096
// cycles, the deskew grid) time no transfer here: sends and reads are on the
// aligned counters, whose drift within an epoch the skew bound already counts.
// So the pattern is one step plus the steps that its rings wrap into, at least
// one more for the step boundary: pattern_steps below.
// What does not repeat: the counters' error grows from one correction to the
// next, and the schedule moves with the position (attention grows). So the
// pattern is checked twice, at the extremes: from position 0 right after the
// alignment settles, and up to the last position of the context, ending just
// before the next correction round, where the counters are furthest apart.
struct LockstepWindow {
    std::int64_t first_position = 0;
    std::int64_t steps = 0;
    bool before_next_round = false;
    std::int64_t start_cycle = 0;  // on the aligned counters
    std::int64_t end_cycle = 0;
};

struct PlanLockstepVerdict {
    std::vector<LockstepWindow> windows;
    std::uint64_t transfers = 0;      // checked, over every window
    std::uint64_t late = 0;           // violations, by kind
    std::uint64_t overwritten = 0;
    std::string first_violation;      // described, when there is one
    std::int64_t worst_margin_cycles = 0;
    std::uint64_t violations() const { return late + overwritten; }
    bool ok() const { return violations() == 0; }
};

// The steps of the plan's repeating pattern: 1 + the most steps any receive
// ring spans (its depth over the slots its messages take per step, rounded
// up), and at least 2.
std::int64_t pattern_steps(const plan::Plan& plan, std::int64_t vector_bytes);

PlanLockstepVerdict verify_plan_lockstep(const plan::Plan& plan, const topology::Topology& topology,
                                         const ChipSpec& spec);

// Throws lpu::Error when the verdict has violations: "the plan is not in
// lockstep: ..." with the counts and the first one.
void require_plan_lockstep(const PlanLockstepVerdict& verdict);

// "in lockstep: 2 x 3 steps (positions 0-2 after the alignment settles,
// 1021-1023 before the next correction), 4218 transfers, worst margin 63 cycles"
std::string lockstep_summary(const PlanLockstepVerdict& verdict);

}  // namespace lpu::sim
