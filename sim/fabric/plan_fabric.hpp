#pragma once
// The fabric figures of running a compiled plan (what `lpu run` reports): for
// the decode steps of the run, on drifting crystals aligned by the protocol
// (the setup of sim/fabric/plan_fabric_setup.hpp, as `lpu plan check`):
//   - max skew: over every transfer, how far the receiver's aligned counter is
//     from the sender's at the moment the send starts, in cycles;
//   - deskew stalls: at each deskew point a chip's software counter, which
//     counts raw local cycles since the last point, waits for its HAC to reach
//     the point's end; the local cycles waited, summed over points and chips;
//   - violations: transfers read before their last vector arrived (late) or
//     overwritten before they were read (sim/fabric/lockstep.hpp);
//   - worst margin: the smallest (read cycle - arrival cycle) on the receiver.
// Every figure is measured where the receiving chip (or, for stalls, the chip
// itself) is, from its own clock and the send times stamped by the senders,
// so figures of disjoint sets of chips merge into those of the whole fabric:
// a run spread over processes (sim/fabric/chip_fabric.hpp) reports exactly what the
// same plan reports in one process.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "plan/plan.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/clock/aligned_counter.hpp"
#include "sim/clock/chip_clocks.hpp"
#include "sim/fabric/lockstep.hpp"
#include "sim/fabric/plan_fabric_setup.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

struct FabricFigures {
    std::int64_t steps = 0;                // decode steps checked
    std::uint64_t transfers = 0;           // transfers checked
    std::int64_t max_skew_cycles = 0;
    std::int64_t deskew_stall_cycles = 0;
    std::uint64_t deskew_points = 0;
    std::uint64_t late_transfers = 0;
    std::uint64_t overwritten_transfers = 0;
    std::optional<std::int64_t> worst_margin_cycles;  // none without transfers
    std::uint64_t violations() const { return late_transfers + overwritten_transfers; }
    bool operator==(const FabricFigures&) const = default;
};

// The figures of two disjoint sets of chips together (the steps are the run's).
FabricFigures merge(const FabricFigures& a, const FabricFigures& b);

// When each transfer leaves: its sender's counter reaching the send cycle in
// true time; only for the senders for which `sends` holds (all when empty), 0 elsewhere.
std::vector<std::int64_t> send_times(std::span<const ScheduledTransfer> transfers, ChipClocks& clocks,
                                     const std::function<bool(topology::ChipId)>& sends = {});

// Skew, margins and violations of the transfers into the chips for which
// `receives` holds (all when empty); `clocks` is asked only about those.
// With `report`, the lockstep findings themselves.
FabricFigures receiver_figures(std::span<const ScheduledTransfer> transfers, std::span<const std::int64_t> send_ps,
                               ChipClocks& clocks, const LinkModel& links,
                               const std::function<bool(topology::ChipId)>& receives,
                               LockstepReport* report = nullptr);

// Adds the stalls of `chip`'s deskew points (listed in order) on its HAC; its
// software counter starts equal to the HAC at `start_cycle`.
void add_deskew_stalls(FabricFigures& figures, std::span<const DeskewPoint> deskews, topology::ChipId chip,
                       const HardwareAlignedCounter& hac, std::int64_t start_cycle);

// The steps of a run that are checked: all of them, or the first ones that
// end before the next alignment round (the checked counters hold for one
// correction period; a run of a small model fits many thousands of steps).
std::int64_t checked_steps(const plan::Plan& plan, const FabricSetup& setup, const PlanLockstepConfig& config);

// The whole fabric simulated in this process.
FabricFigures plan_fabric_figures(const plan::Plan& plan, const topology::Topology& topology, const ChipSpec& spec,
                                  const PlanLockstepConfig& config);

}  // namespace lpu::sim
