#pragma once
// Hierarchical all-reduce for the Dragonfly (chips carry node and rack ids):
// level by level — node, then rack, then system — the participants are
// grouped; when the groups all have k > 1 members, each group runs a direct
// reduce-scatter (member j keeps block j of the group's range), the j-th
// members of all groups all-reduce block j at the next level up (all j in
// parallel), and each group direct-all-gathers. A level with one group does a
// direct all-reduce; a level where every group has one member is skipped.
// Groups of unequal size are refused (lpu::Error naming the sizes). Fold
// order, innermost level first: within each group, block j is folded as
// member j's value, then the other members' in group order (direct
// reduce-scatter); the next level folds those partial sums the same way
// among the j-th members; the single group at the top folds like direct.
// alltoall: grid_all_to_all over racks x nodes x chips — between racks (chip
// c of node v with chip c of node v in every other rack), then between the
// nodes of a rack (chip c of every node), then inside each node. Every rack
// must take part with as many nodes, every node with as many chips.
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class HierarchicalAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "hierarchical"; }
    std::string summary() const override {
        return "Dragonfly levels: allreduce node, rack, system; alltoall rack, node, chip";
    }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

}  // namespace lpu::collectives
