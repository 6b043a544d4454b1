#include "collectives/algorithms/one_shot.hpp"

#include <set>

namespace lpu::collectives {

std::optional<std::string> fully_connected_reason(const topology::Topology& topology,
                                                  const std::vector<ChipId>& members) {
    const std::set<ChipId> wanted(members.begin(), members.end());
    for (ChipId chip : members) {
        std::set<ChipId> linked;
        for (const auto& adjacency : topology.neighbours(chip)) {
            if (wanted.contains(adjacency.peer)) linked.insert(adjacency.peer);
        }
        if (linked.size() + 1 < wanted.size()) {
            for (ChipId other : members) {
                if (other != chip && !linked.contains(other)) {
                    return "chips " + std::to_string(chip) + " and " + std::to_string(other) +
                           " have no link of their own (one_shot needs a fully connected group)";
                }
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string> OneShotAlgorithm::shape_reason(const topology::Topology& topology,
                                                          const Request& request) const {
    if (request.op != CollectiveOp::all_reduce) return "one_shot does not implement " + op_name(request.op);
    return fully_connected_reason(topology, request.participants);
}

LogicalPlan OneShotAlgorithm::plan(const topology::Topology&, const Request& request) const {
    return one_shot_all_reduce(request.participants, ElementRange{0, request.count});
}

}  // namespace lpu::collectives
