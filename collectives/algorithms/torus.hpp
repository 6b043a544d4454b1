#pragma once
// Dimension-ordered rings on a torus or mesh (TopologyInfo::grid_dims): a
// ring reduce-scatter along dimension 0 in every line of chips at once, then
// along dimension 1 on the block each chip kept, and so on; then ring
// all-gathers in the reverse order. Each dimension's rings use their own
// links, so the lines run in parallel. On a mesh a line's ring closes over
// the line's links in the other direction. Needs every chip of the topology,
// in chip id order. Fold order: along dimension 0, each line ring-folds the
// element (ring_reduce_scatter: positions k+1, k+2, ..., k, where position k
// keeps the element's block); along dimension 1 those partial sums are
// ring-folded the same way, with k the position that keeps the element's
// sub-block, and so on up to the last dimension.
// alltoall: grid_all_to_all over the grid's dimensions — dimension 0's lines
// exchange first, then dimension 1's, and so on (grid_all_to_all.hpp says
// when it beats direct).
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class TorusAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "torus"; }
    std::string summary() const override {
        return "dimension-ordered rings (allreduce) or line exchanges (alltoall) over a torus or mesh";
    }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

}  // namespace lpu::collectives
