#pragma once
// Dimension-ordered all-to-all over participants arranged on a grid (the
// torus's dimensions, or a Dragonfly's racks x nodes x chips): phase t
// exchanges only between participants that differ in coordinate t, so each
// phase stays inside one line of the grid (a torus ring, a node, the same
// chip of every node) and sends one aggregated message per partner instead of
// one per block. A block from s to d first moves along dimension 0 to the
// participant with d's coordinate 0 and s's others, then along dimension 1,
// and so on: D phases of (r_t - 1) messages of n / r_t blocks each, against
// direct's n - 1 messages of one block, and every hop of a phase is short.
// It wins while the message count (latency) dominates; it moves each block up
// to D times, so direct wins again once bandwidth dominates (README figures).
//
// Staging: between phases every participant holds n blocks; they wait in two
// staging areas of n output slots each after the alltoall layout (so the
// schedule's buffer_elements is up to count + 3 n ceil(count / n)). In the area a
// phase reads, the blocks for one partner are contiguous, and in the area it
// writes, the blocks from one partner are: one transfer per partner. Between
// phases, and into the output slots at the end, on-chip copies put the blocks
// in the order the next phase needs (steps with on-chip copies only: the
// fabric model charges them nothing, as the chip's SRAM moves them).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "collectives/schedule_builder.hpp"

namespace lpu::collectives {

// Position g of the grid (mixed radix over `radices`, the first coordinate
// most significant) holds participant `at[g]` (an index into the members).
struct ParticipantGrid {
    std::vector<std::size_t> radices;
    std::vector<std::size_t> at;
};

// The all-to-all of schedule.hpp's alltoall layout over `members`, phase by
// phase along the grid's dimensions (those of extent 1 are skipped).
LogicalPlan grid_all_to_all(const std::vector<ChipId>& members, const ParticipantGrid& grid, std::uint64_t count);

}  // namespace lpu::collectives
