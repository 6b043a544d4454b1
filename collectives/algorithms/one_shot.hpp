#pragma once
// One-shot all-reduce, for the small messages of batch-1 tensor parallelism:
// every participant sends its whole vector to every other one at once, each
// over its own link, and each folds what it receives with its own value as
// one balanced tree in participant order (schedule.hpp's tree reduction) — the
// same fold as halving_doubling, so the two give the same bits. One hop on a
// fully connected group (a Dragonfly node); it moves n - 1 times the data of
// a reduce-scatter, which is why it wins only while latency dominates. Needs
// every pair of participants directly linked: spread over routed steps the
// terms of one fold would arrive in pieces.
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class OneShotAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "one_shot"; }
    std::string summary() const override {
        return "every chip sends its vector to every peer at once and folds locally: 1 hop on a node";
    }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

// Empty when every pair of `members` has a link of its own, else which pair has none.
std::optional<std::string> fully_connected_reason(const topology::Topology& topology,
                                                  const std::vector<ChipId>& members);

}  // namespace lpu::collectives
