#pragma once
// Building blocks the algorithms share: logical steps (transfers without
// routes), running plans side by side, the ring and direct phases, and the
// routing pass that makes a plan a conflict-free Schedule.
#include <cstddef>
#include <vector>

#include "collectives/schedule.hpp"
#include "topology/topology.hpp"

namespace lpu::collectives {

using LogicalStep = std::vector<Transfer>;
using LogicalPlan = std::vector<LogicalStep>;

// The most transfers one schedule may hold (a direct all-reduce over 1,400
// chips); beyond it building fails with an lpu::Error instead of exhausting memory.
inline constexpr std::size_t max_schedule_transfers = 4'000'000;
// Throws lpu::Error when a plan would need more transfers than that. Checked
// before a plan is built, so that an impossible schedule (a ring over 10,440
// chips holds 2 x 10,439 x 10,440 transfers) is refused at once instead of
// after minutes of building it.
void require_within_limit(std::size_t transfers);

// Appends `part` after `plan`.
void append(LogicalPlan& plan, const LogicalPlan& part);
// Runs plans side by side: step k of the result holds step k of every part,
// parts in the given order (so transfer order, hence reduction order, is fixed).
LogicalPlan run_in_parallel(const std::vector<LogicalPlan>& parts);

// Ring reduce-scatter of `range` over `members` (ring order = member order):
// n-1 steps; in step s member i sends sub-block (i - s - 1) mod n to member
// i+1, which adds it to its own. Member i ends with sub_block(range, n, i)
// reduced, folded in ring order starting at member i+1 and ending with member i.
LogicalPlan ring_reduce_scatter(const std::vector<ChipId>& members, const ElementRange& range);
// Ring all-gather: member i holds sub_block(range, n, i); n-1 steps; in step s
// member i forwards sub-block (i - s) mod n to member i+1.
LogicalPlan ring_all_gather(const std::vector<ChipId>& members, const ElementRange& range);

// Direct reduce-scatter: one step; member k receives sub-block k from every
// other member, in member order, and adds each to its own: sub-block k is
// folded as own + member 0 + member 1 + ... (skipping k).
LogicalPlan direct_reduce_scatter(const std::vector<ChipId>& members, const ElementRange& range);
// Direct all-gather: one step; member k sends sub-block k to every other member.
LogicalPlan direct_all_gather(const std::vector<ChipId>& members, const ElementRange& range);

// One-shot all-reduce: one step; every member sends the whole range to every
// other member (tree_reduce), so each member folds all members' values as
// schedule.hpp's tree in member order: every member ends with the same bits.
LogicalPlan one_shot_all_reduce(const std::vector<ChipId>& members, const ElementRange& range);

// Routes every transfer over a minimal route and splits each logical step
// into steps so that no channel carries two transfers of one step. Greedy and
// deterministic: transfers in order; each takes the first step (from the
// first one allowed) where one of its minimal routes (in routing order) is
// free. A transfer never lands before an earlier transfer of its logical step
// to the same destination chip, which keeps the fold order. Steps whose
// transfers all start together and use distinct channels cannot conflict.
std::vector<Step> route_plan(const topology::Topology& topology, const LogicalPlan& plan);

}  // namespace lpu::collectives
