#include "sim/clock/spanning_tree.hpp"

#include <algorithm>
#include <string>

#include "base/error.hpp"

namespace lpu::sim {

SpanningTree bfs_spanning_tree(const topology::Topology& topology, topology::ChipId root,
                               std::span<const topology::LinkId> without) {
    const std::size_t chips = topology.chip_count();
    require(root < chips, "the alignment root must be a chip of the topology (0.." + std::to_string(chips - 1) +
                              "), got " + std::to_string(root));
    SpanningTree tree;
    tree.root = root;
    tree.parent.assign(chips, root);
    tree.down_channel.assign(chips, 0);
    tree.up_channel.assign(chips, 0);
    tree.depth.assign(chips, UINT32_MAX);
    tree.children.resize(chips);
    tree.order.reserve(chips);
    tree.depth[root] = 0;
    tree.order.push_back(root);
    for (std::size_t next = 0; next < tree.order.size(); ++next) {
        const topology::ChipId chip = tree.order[next];
        for (const auto& adjacency : topology.neighbours(chip)) {
            if (tree.depth[adjacency.peer] != UINT32_MAX) continue;
            if (std::find(without.begin(), without.end(), adjacency.link) != without.end()) continue;
            tree.depth[adjacency.peer] = tree.depth[chip] + 1;
            tree.parent[adjacency.peer] = chip;
            tree.down_channel[adjacency.peer] = adjacency.outgoing;
            tree.up_channel[adjacency.peer] = adjacency.outgoing ^ 1u;  // the same link, other direction
            tree.children[chip].push_back(adjacency.peer);
            tree.order.push_back(adjacency.peer);
            tree.max_depth = std::max(tree.max_depth, tree.depth[adjacency.peer]);
        }
    }
    // Topology guarantees a connected graph, which links taken away may break.
    require(tree.order.size() == chips, [&] {
        std::string message = "the topology is not connected";
        if (!without.empty()) message += " without the links that went down";
        return message + ": the alignment tree reaches " + std::to_string(tree.order.size()) + " of " +
               std::to_string(chips) + " chips";
    });
    return tree;
}

}  // namespace lpu::sim
