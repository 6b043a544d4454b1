#pragma once
// The rules every wiring must follow. Topology's constructor runs them; they
// are exposed so that file readers can report problems before building.
//
// Each rule throws lpu::Error naming the link, chip and port at fault:
//   - at least one chip, at most max_chips; every link's chips exist (no dangling link)
//   - no link connects a chip to itself
//   - every port index is below its chip's port_count (port budget)
//   - no port carries two links
//   - latency/bandwidth overrides, when present, are positive
//   - the graph is connected (the error names a chip unreachable from chip 0)
//   - TopologyInfo is consistent (grid extents multiply to the chip count,
//     representative chips exist)
#include <cstddef>
#include <span>

#include "topology/topology.hpp"

namespace lpu::topology {

// Far above the 10,440-chip system; bounds what a file can make us allocate.
inline constexpr std::size_t max_chips = 1'000'000;
inline constexpr PortIndex max_ports_per_chip = 1024;

void validate_wiring(std::span<const Chip> chips, std::span<const Link> links, const TopologyInfo& info);

}  // namespace lpu::topology
