#pragma once
// The rules every plan satisfies; plans are validated after compiling and after
// loading, so executors can trust them.
#include "plan/plan.hpp"

namespace lpu::plan {

// Throws lpu::Error naming the chip, buffer or instruction and the broken rule:
//  - the format version is this build's, the grid is non-zero and has tp x pp
//    chips, chip ids are unique, roles fit the grid and ranges are ordered;
//  - buffers are non-empty, inside the plan's SRAM size, and disjoint unless
//    both are marked reusable;
//  - instruction cycles are non-decreasing per chip, every cycle count (cycle,
//    duration, pad, flight time, transfer latency) is in [0, max_plan_cycles],
//    buffer ids exist, transfers fit their buffers;
//  - every Send has exactly one Recv (same tag, peer pair and bytes), tags are
//    unique per chip pair, and each Recv is scheduled no earlier than its Send
//    plus the plan's transfer latency.
void validate(const Plan& plan);

}  // namespace lpu::plan
