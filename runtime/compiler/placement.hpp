#pragma once
// Placement of a TP x PP grid on a topology: which chip holds (stage, tp rank).
//
// Chips are taken in an order where consecutive chips are close, and a TP
// group is `tp` consecutive chips, stage s + 1's group following stage s's:
// - a topology with nodes (Dragonfly): node by node (rack, node, then id), so a
//   TP group of up to 8 chips is one fully connected node, and the next
//   stage's node is in the same rack while it has free nodes;
// - otherwise a nearest-neighbour walk from chip 0: each next chip is the
//   closest (fewest hops) chip not yet taken, lowest id on ties. On a ring that
//   is 0, 1, 2, ...; on a torus it snakes row by row.
// Spare chips are never taken. Data-parallel replicas take consecutive blocks
// of tp * pp chips of the same order, so each replica is as compact as a
// single grid would be.
#include <cstdint>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::compiler {

struct Placement {
    int tp = 1;
    int pp = 1;
    int replicas = 1;
    std::vector<topology::ChipId> chips;  // chips[replica * tp * pp + stage * tp + rank]

    // The chips of one replica, as a placement of one tp x pp grid.
    Placement replica(int index) const;

    topology::ChipId chip(int stage, int rank) const {
        return chips[static_cast<std::size_t>(stage) * static_cast<std::size_t>(tp) + static_cast<std::size_t>(rank)];
    }
    std::vector<topology::ChipId> tp_group(int stage) const;
};

// Throws lpu::Error when the topology has fewer usable (non-spare) chips than
// tp * pp * replicas.
Placement place_grid(const topology::Topology& topology, int tp, int pp, int replicas = 1);

// A placement chosen elsewhere (a failover keeps every chip where it was and
// puts a stand-in in the failed one's place), checked against the grid and the
// topology: lpu::Error when the count is not tp * pp * replicas, a chip does
// not exist or appears twice.
Placement given_placement(const topology::Topology& topology, int tp, int pp, int replicas,
                          std::vector<topology::ChipId> chips);

}  // namespace lpu::compiler
