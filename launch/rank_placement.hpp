#pragma once
// Which rank (process of an MPI or TCP run) runs which chip of a plan. Chips are in plan order (stage by
// stage, a TP group's chips next to each other), and ranks in host order, so
// contiguous blocks of chips on consecutive ranks keep a TP group inside one
// rank, or one host, wherever the counts allow:
//   - the chips are cut into `ranks` blocks as even as possible, each cut
//     moved to the nearest TP group boundary when the groups are at least as
//     many as the ranks (so no group is split across ranks);
//   - ranks are ordered by host, so neighbouring blocks share a host.
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::launch {

struct RankOfChip {
    std::vector<int> rank;  // by plan chip index
};

// `rank_hosts[r]` is the host index of rank r. Throws lpu::Error when there
// are more ranks than chips (a rank would have nothing to run).
RankOfChip place_chips_on_ranks(const plan::Plan& plan, const std::vector<int>& rank_hosts);

// The same by chip id, as transports look chips up (-1: no such chip), and the
// rank that runs the head chip (TP rank 0 of the last stage: it has the logits).
struct ChipLayout {
    std::vector<int> rank_of_chip;
    int head_rank = 0;
};
ChipLayout chip_layout(const plan::Plan& plan, const RankOfChip& placement);

// The rank of every chip of a topology of `chips` chips for the fabric's clocks
// (launch/run_fabric.hpp): a plan chip's rank, and rank 0 for the chips
// outside the plan, which still keep time for the alignment tree.
std::vector<int> fabric_rank_of_chip(const ChipLayout& layout, std::size_t chips);

// Which chips of the plan (by plan index) `rank` runs.
std::vector<bool> chips_of_rank(const RankOfChip& placement, int rank);

// One line per rank: "rank 1 (host 0 'node-a'): chips 2 3 (stage 0, tp 2-3)".
std::string describe_placement(const plan::Plan& plan, const RankOfChip& placement,
                               const std::vector<int>& rank_hosts, const std::vector<std::string>& host_names);

}  // namespace lpu::launch
