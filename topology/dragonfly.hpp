#pragma once
// The Groq-style hierarchical Dragonfly (hardware.md, fabric section).
//
// Derivation of the wiring (every chip has 16 ports):
//   node  = 8 chips, fully connected: 7 local ports per chip (ports 0-6).
//   Each chip has 4 global ports (7-10), so a node is a 32-port virtual router.
//   rack  = 9 nodes = 288 global ports. The largest published system has 145
//   racks; to connect every pair of racks directly a rack needs 144 inter-rack
//   links. That leaves 288 - 144 = 144 ports = 72 links inside the rack, and a
//   rack has C(9,2) = 36 node pairs: 2 links per node pair.
//   So per node: 8 peers x 2 = 16 intra-rack ports + 16 inter-rack ports;
//   per chip: 2 intra-rack ports (7, 8) + 2 inter-rack ports (9, 10);
//   ports 11-15 stay unused (5 per chip).
//   With R racks (1..145), each pair of racks gets floor(144 / (R-1)) parallel
//   links (1 at R = 145, 20 at R = 8, 144 at R = 2); the remaining
//   144 mod inter-rack ports of each rack stay unused.
//
// Placement of the links (all rotation-symmetric across racks, so that the
// metrics can be computed exactly from the 72 chips of rack 0):
//   - node u's k-th link (k = 0, 1) to node v of the same rack leaves from chip
//     (i + 4k) mod 8 on port 7+k, where i = v < u ? v : v-1 is v's index among
//     u's peers: the two links of a node pair use different chips.
//   - inter-rack slot t (0..143) of a rack is node t mod 9, chip (t/9) mod 8,
//     port 9 + t/72: consecutive slots spread over all nodes.
//     Rack r's k-th link to rack (r + d) mod R uses slot (d-1)*m + k, m the
//     links per rack pair; both ends follow this rule.
// Chip ids: rack*72 + node_in_rack*8 + chip_in_node; Chip::node is the global
// node index rack*9 + node_in_rack.
#include <cstdint>

#include "topology/topology.hpp"

namespace lpu::topology {

inline constexpr std::uint32_t dragonfly_chips_per_node = 8;
inline constexpr std::uint32_t dragonfly_nodes_per_rack = 9;
inline constexpr std::uint32_t dragonfly_chips_per_rack = dragonfly_chips_per_node * dragonfly_nodes_per_rack;
inline constexpr PortIndex dragonfly_local_ports = 7;
inline constexpr PortIndex dragonfly_intra_rack_ports = 2;  // per chip
inline constexpr PortIndex dragonfly_inter_rack_ports = 2;  // per chip
inline constexpr std::uint32_t dragonfly_inter_rack_links_per_rack =
    dragonfly_chips_per_rack * dragonfly_inter_rack_ports;               // 144
inline constexpr std::uint32_t dragonfly_max_racks = dragonfly_inter_rack_links_per_rack + 1;  // 145

struct DragonflyOptions {
    std::uint32_t racks = 1;
    // Marks the 9th node of every rack spare (still wired; not for placement).
    bool spare_node = false;
};

Topology dragonfly(const DragonflyOptions& options);

}  // namespace lpu::topology
