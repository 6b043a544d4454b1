#pragma once
// Graphviz DOT output of a topology, for `lpu topo --dot`.
//
// Up to max_chip_vertices chips: one vertex per chip (chips of one node in a
// cluster, spare chips dashed, ports on the edge ends for small graphs).
// Larger topologies with a hierarchy are condensed — one vertex per node, or
// per rack when even the nodes are too many — with one edge per connected
// pair labelled with its link count; the graph's label says so. Larger
// topologies without a hierarchy are still drawn chip by chip.
#include <cstddef>
#include <string>

#include "topology/topology.hpp"

namespace lpu::topology {

struct DotOptions {
    std::size_t max_chip_vertices = 256;
    std::size_t max_port_labels_chips = 32;  // port labels only on small graphs
};

std::string topology_to_dot(const Topology& topology, const DotOptions& options = {});

}  // namespace lpu::topology
