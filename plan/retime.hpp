#pragma once
// Re-timing a plan for one sequence position. The compiled schedule holds the
// position-independent durations; before each decode step every executor
// derives the same concrete schedule from it, so chips stay in lockstep.
#include <cstdint>

#include "plan/plan.hpp"

namespace lpu::plan {

// The plan scheduled for `position` (0-based position of the token in the
// sequence). Each Compute takes cycles + cycles_per_position * (position + 1);
// the extra cycles shift every later instruction of its chip, and a Recv is
// delayed further when needed so that it is never scheduled before its Send's
// new cycle plus the plan's transfer latency. In the result every Compute holds
// its concrete duration (cycles_per_position 0), so it validates as a plan.
// Deterministic: the result depends only on the plan and the position.
// Throws lpu::Error for a negative position, for cycles that overflow, and for
// sends and recvs that wait on each other in a cycle; `plan` must be valid.
Plan retime(const Plan& plan, std::int64_t position);

}  // namespace lpu::plan
