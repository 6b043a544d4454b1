#include "collectives/algorithms/hierarchical.hpp"

#include <map>

#include "base/error.hpp"
#include "collectives/algorithms/grid_all_to_all.hpp"

namespace lpu::collectives {

namespace {

// The participants as a grid of racks x nodes x chips (by participant order
// within a node; nodes and racks by id), or why they do not form one: every
// rack must take part with as many nodes, every node with as many chips.
std::optional<std::string> dragonfly_grid(const topology::Topology& topology, const Request& request,
                                          ParticipantGrid& grid) {
    std::map<std::uint32_t, std::map<std::uint32_t, std::vector<std::size_t>>> racks;
    for (std::size_t i = 0; i < request.participants.size(); ++i) {
        const auto& chip = topology.chip(request.participants[i]);
        racks[chip.rack.value_or(0)][chip.node.value_or(0)].push_back(i);
    }
    const auto& first_rack = racks.begin()->second;
    grid = ParticipantGrid{{racks.size(), first_rack.size(), first_rack.begin()->second.size()}, {}};
    for (const auto& [rack, nodes] : racks) {
        if (nodes.size() != grid.radices[1]) return "the racks take part with different node counts";
        for (const auto& [node, members] : nodes) {
            if (members.size() != grid.radices[2]) return "the nodes take part with different chip counts";
            grid.at.insert(grid.at.end(), members.begin(), members.end());
        }
    }
    return std::nullopt;
}

enum class Level { node, rack, system };

std::uint32_t group_key(const topology::Topology& topology, ChipId chip, Level level) {
    const auto& info = topology.chip(chip);
    if (level == Level::node) return info.node.value_or(0);
    if (level == Level::rack) return info.rack.value_or(0);
    return 0;
}

LogicalPlan all_reduce(const topology::Topology& topology, const std::vector<ChipId>& members,
                       const ElementRange& range, Level level) {
    std::map<std::uint32_t, std::vector<ChipId>> by_key;
    for (ChipId chip : members) by_key[group_key(topology, chip, level)].push_back(chip);
    if (by_key.size() == 1) {
        LogicalPlan plan = direct_reduce_scatter(members, range);
        append(plan, direct_all_gather(members, range));
        return plan;
    }
    std::vector<std::vector<ChipId>> groups;
    std::string sizes;
    for (auto& [key, group] : by_key) {
        sizes += (sizes.empty() ? "" : ", ") + std::to_string(group.size());
        groups.push_back(std::move(group));
    }
    const std::size_t k = groups.front().size();
    for (const auto& group : groups) {
        require(group.size() == k, std::string("hierarchical needs the same number of participants in every ") +
                                       (level == Level::node ? "node" : "rack") + " (sizes " + sizes + ")");
    }
    const Level up = level == Level::node ? Level::rack : Level::system;
    if (k == 1) return all_reduce(topology, members, range, up);
    std::vector<LogicalPlan> scatter, columns, gather;
    for (const auto& group : groups) {
        scatter.push_back(direct_reduce_scatter(group, range));
        gather.push_back(direct_all_gather(group, range));
    }
    for (std::size_t j = 0; j < k; ++j) {
        std::vector<ChipId> column;
        for (const auto& group : groups) column.push_back(group[j]);
        columns.push_back(all_reduce(topology, column, sub_block(range, k, j), up));
    }
    LogicalPlan plan = run_in_parallel(scatter);
    append(plan, run_in_parallel(columns));
    append(plan, run_in_parallel(gather));
    return plan;
}

}  // namespace

std::optional<std::string> HierarchicalAlgorithm::shape_reason(const topology::Topology& topology,
                                                               const Request& request) const {
    if (request.op != CollectiveOp::all_reduce && request.op != CollectiveOp::all_to_all) {
        return "hierarchical does not implement " + op_name(request.op);
    }
    if (!topology.has_nodes()) return "the topology has no nodes (only the Dragonfly has a hierarchy)";
    ParticipantGrid grid;
    if (request.op == CollectiveOp::all_to_all) return dragonfly_grid(topology, request, grid);
    return std::nullopt;
}

LogicalPlan HierarchicalAlgorithm::plan(const topology::Topology& topology, const Request& request) const {
    if (request.op == CollectiveOp::all_to_all) {
        ParticipantGrid grid;
        if (auto reason = dragonfly_grid(topology, request, grid)) throw InternalError(*reason);
        return grid_all_to_all(request.participants, grid, request.count);
    }
    return all_reduce(topology, request.participants, ElementRange{0, request.count}, Level::node);
}

}  // namespace lpu::collectives
