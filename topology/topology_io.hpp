#pragma once
// Topology files, two forms that carry the same fields and round-trip exactly:
//
// JSON (.json), human-writable:
//   {
//     "format": "lpu-topology", "version": 1, "name": "bowtie",
//     "ports_per_chip": 16,               optional, default 16
//     "chips": 6,                         a count, or a list of objects
//                                         {"ports": 16, "node": 0, "rack": 0, "spare": false}
//                                         (every field optional)
//     "links": [[0, 1], {"a": 1, "b": 2, "port_a": 3, "port_b": 0,
//               "latency_ps": 240000, "bandwidth_bytes_per_s": 14000000000}],
//     "grid_dims": [4, 4],                optional (torus/mesh extents)
//     "representative_chips": [0]         optional symmetry claim (see TopologyInfo)
//   }
//   A link is [a, b] or an object; omitted ports are assigned in link order,
//   each the lowest port of its chip that no link names explicitly.
//   Unknown keys are errors (a misspelt "port_A" must not be ignored).
//   Written files list every chip and link explicitly, one per line.
//
// Cap'n Proto (.topo.bin): schema/topology.capnp, a single unpacked message.
//
// Every reader throws lpu::Error naming the file and the bad field, and every
// topology read is validated (topology/validation.hpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::topology {

// `origin` names the text in error messages (a file path, or "<string>").
Topology topology_from_json_text(std::string_view text, const std::string& origin);
std::string topology_to_json_text(const Topology& topology);

Topology topology_from_capnp_bytes(std::string_view bytes, const std::string& origin);
std::string topology_to_capnp_bytes(const Topology& topology);

// By extension: ".json" or ".topo.bin"; anything else throws lpu::Error.
Topology load_topology_file(const std::string& path);
void save_topology_file(const Topology& topology, const std::string& path);

}  // namespace lpu::topology
