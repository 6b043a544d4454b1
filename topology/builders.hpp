#pragma once
// Builders for the regular topologies. Every builder numbers chips and ports
// deterministically, fills TopologyInfo (name, grid extents, symmetry) and
// throws lpu::Error when the shape is impossible (too few chips, or more ports
// needed than a chip has). The Dragonfly lives in topology/dragonfly.hpp.
#include <cstdint>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::topology {

// Chip i reaches chip j on port (j < i ? j : j - 1): n - 1 ports each.
Topology fully_connected(std::uint32_t chips, PortIndex ports_per_chip = default_ports_per_chip);

// Chip i: port 0 to chip i+1, port 1 to chip i-1 (mod n). Needs n >= 3.
Topology ring(std::uint32_t chips, PortIndex ports_per_chip = default_ports_per_chip);

// Row-major chip ids (last dimension fastest). In dimension d a chip uses
// port 2d towards +1 and port 2d+1 towards -1. Torus extents must be >= 3 (so
// the wrap-around link is not a second link to the same neighbour); mesh
// extents >= 1.
Topology torus(const std::vector<std::uint32_t>& extents, PortIndex ports_per_chip = default_ports_per_chip);
Topology mesh(const std::vector<std::uint32_t>& extents, PortIndex ports_per_chip = default_ports_per_chip);

}  // namespace lpu::topology
