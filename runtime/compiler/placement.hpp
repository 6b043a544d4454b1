#pragma once
// Placement of a TP x PP grid on a topology: which chip holds (stage, tp rank).
//
// Chips are taken in the order of a nearest-neighbour walk from chip 0: each
// next chip is the closest (fewest hops) chip not yet taken, lowest id on ties;
// spare chips are never taken. Consecutive chips of that walk are close, so a
// TP group is `tp` consecutive chips (one node of a Dragonfly, neighbours on a
// ring or torus) and stage s + 1's group follows stage s's along the walk.
// The walk on a ring is 0, 1, 2, ...; on a torus it snakes row by row.
#include <cstdint>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::compiler {

struct Placement {
    int tp = 1;
    int pp = 1;
    std::vector<topology::ChipId> chips;  // chips[stage * tp + rank]

    topology::ChipId chip(int stage, int rank) const {
        return chips[static_cast<std::size_t>(stage) * static_cast<std::size_t>(tp) + static_cast<std::size_t>(rank)];
    }
    std::vector<topology::ChipId> tp_group(int stage) const;
};

// Throws lpu::Error when the topology has fewer usable (non-spare) chips than tp * pp.
Placement place_grid(const topology::Topology& topology, int tp, int pp);

}  // namespace lpu::compiler
