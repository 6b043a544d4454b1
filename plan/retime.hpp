#pragma once
// Re-timing a plan for one sequence position. The compiled schedule holds the
// position-independent durations; before each decode step every executor
// derives the same concrete schedule from it, so chips stay in lockstep.
#include <cstdint>

#include <optional>
#include <span>
#include <vector>

#include "plan/plan.hpp"
#include "plan/transfer_matching.hpp"

namespace lpu::plan {

// The plan scheduled for `position` (0-based position of the token in the
// sequence). Each Compute takes compute_cycles_at(compute, position) (plan.hpp);
// the extra cycles shift every later instruction of its chip, and a Recv is
// delayed further when needed so that it is never scheduled before its Send's
// new cycle plus the plan's transfer latency. In the result every Compute holds
// its concrete duration (cycles_per_1024_positions 0), so it validates as a plan.
// Deterministic: the result depends only on the plan and the position.
// Throws lpu::Error for a negative position, for cycles that overflow, and for
// sends and recvs that wait on each other in a cycle; `plan` must be valid.
Plan retime(const Plan& plan, std::int64_t position);

// Every instruction's cycle at one position, and its concrete duration (how
// long it keeps its chip busy), indexed [chip][instruction] like the plan.
struct StepTiming {
    std::vector<std::vector<std::int64_t>> cycles;
    std::vector<std::vector<std::int64_t>> durations;
    std::int64_t end_cycle() const;  // when the last instruction ends
};

// The same for many positions of one plan: transfers are matched once, and the
// timing comes without building the retimed plan (executors need it every
// step). Keeps a reference to `plan`, which must outlive it.
class Retimer {
public:
    explicit Retimer(const Plan& plan);
    // Every sequence of the batch at `position`.
    Plan retime(std::int64_t position) const;
    StepTiming timing(std::int64_t position) const;
    // positions[s] is sequence s's position, one for each sequence of the
    // plan's batch: each Compute takes the cost at its own sequence's position.
    Plan retime(std::span<const std::int64_t> positions) const;
    StepTiming timing(std::span<const std::int64_t> positions) const;
    // step_end_cycle(retime(position)), computed directly.
    std::int64_t step_end_cycle(std::int64_t position) const { return timing(position).end_cycle(); }
    // The plan's transfers, as match_transfers gives them (matched once, here).
    const std::vector<MatchedTransfer>& transfers() const { return transfers_; }

private:

    const Plan& plan_;
    std::vector<MatchedTransfer> transfers_;
    // For each Recv, the Send it waits for.
    std::vector<std::vector<std::optional<InstructionIndex>>> send_of_;
};

// The cycle at which the last instruction of any chip ends: one step's
// latency when `plan` is retimed for the step's position. A Compute ends after
// compute_cycles_at(compute, 0) (its cost at position 0 when not retimed), a
// deskew after its pad; transfers take no time of their chip.
std::int64_t step_end_cycle(const Plan& plan);

}  // namespace lpu::plan
