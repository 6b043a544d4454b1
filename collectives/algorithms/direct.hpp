#pragma once
// Direct: every participant talks to every other at once (one-shot), which a
// fully connected group does in one step per phase: allreduce = direct
// reduce-scatter + direct all-gather (2 steps of S/n). On other topologies
// the routing pass spreads the transfers over as many steps as the links
// need. Implements every op:
//   allreduce/reducescatter: block k folded as own + members 0, 1, ... (skipping k)
//   allgather: member k sends block k to all;  broadcast: root sends to all
//   reduce: root folds own + members 1, 2, ... in order;  alltoall: one step
//   p2p: one transfer.
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class DirectAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "direct"; }
    std::string summary() const override { return "one-shot all-to-all exchanges, best on fully connected groups"; }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

}  // namespace lpu::collectives
