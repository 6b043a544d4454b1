#pragma once
// The spanning tree the alignment protocol propagates time over: every chip
// but the root has a parent, reached over one link, and aligns its counter to
// that parent's. A BFS tree keeps every chip as few hops from the root as
// possible (errors add up per hop), with ties broken by the lowest port, so the
// tree is a deterministic function of the topology and the root.
//
// A tree can be built without some links (links that went down): the same BFS
// over the links left, which is how the alignment tree heals around them.
#include <cstdint>
#include <span>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::sim {

struct SpanningTree {
    topology::ChipId root = 0;
    // For chip c != root: its parent and the channel parent -> c (and back).
    std::vector<topology::ChipId> parent;
    std::vector<topology::ChannelId> down_channel;
    std::vector<topology::ChannelId> up_channel;
    std::vector<std::uint32_t> depth;                    // hops from the root
    std::vector<std::vector<topology::ChipId>> children; // ascending BFS order
    std::vector<topology::ChipId> order;                 // BFS order, root first
    std::uint32_t max_depth = 0;
};

// Throws lpu::Error when `root` is not a chip of the topology, or when some
// chip cannot be reached without the links in `without`.
SpanningTree bfs_spanning_tree(const topology::Topology& topology, topology::ChipId root,
                               std::span<const topology::LinkId> without = {});

}  // namespace lpu::sim
