#pragma once
// Recursive halving-doubling all-reduce for any participant count: with p the
// largest power of two <= n, the r = n - p extra members first fold their
// whole buffer into members 0..r-1 (member p+i into member i); then members
// 0..p-1 run recursive halving (log2 p steps: partners at distance p/2, p/4,
// ..., 1 swap halves of their current range, each keeping and adding one
// half — the lower half for the member whose distance bit is 0) and
// recursive doubling (the same steps reversed, copying); finally member i
// copies the result to member p+i. Latency 2 log2(p) alpha (+2 with extras).
// Fold order of every element, the same for all members (float addition is
// commutative, so which partner adds does not matter): leaves L_j = x_j, or
// x_j + x_{p+j} for j < r; then for d = p/2, p/4, ..., 1: L_j = L_j + L_{j+d}
// for j < d; the result is L_0 — a balanced tree over the leaves.
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class HalvingDoublingAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "halving_doubling"; }
    std::string summary() const override {
        return "recursive halving + doubling, extra ranks folded first, 2 log2(n) steps";
    }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

}  // namespace lpu::collectives
