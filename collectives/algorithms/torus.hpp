#pragma once
// Dimension-ordered rings on a torus or mesh (TopologyInfo::grid_dims): a
// ring reduce-scatter along dimension 0 in every line of chips at once, then
// along dimension 1 on the block each chip kept, and so on; then ring
// all-gathers in the reverse order. Each dimension's rings use their own
// links, so the lines run in parallel. On a mesh a line's ring closes over
// the line's links in the other direction. Needs every chip of the topology,
// in chip id order. Fold order: per dimension, the ring order of
// ring_reduce_scatter along that dimension's line.
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class TorusAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "torus"; }
    std::string summary() const override { return "dimension-ordered rings over a torus or mesh"; }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

}  // namespace lpu::collectives
