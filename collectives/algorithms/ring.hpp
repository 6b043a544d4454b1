#pragma once
// Ring: reduce-scatter then all-gather around the participants in the order
// given (2(n-1) steps of S/n). Bandwidth-optimal, latency 2(n-1) alpha.
// Ops: allreduce, reducescatter, allgather. Fold order of block k: members
// k+1, k+2, ..., k (ring order), see ring_reduce_scatter.
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class RingAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "ring"; }
    std::string summary() const override { return "reduce-scatter + all-gather around a ring, 2(n-1) steps"; }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

}  // namespace lpu::collectives
