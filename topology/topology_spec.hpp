#pragma once
// The one topology syntax every command takes (`--topology SPEC`):
//   fc:N            N chips, fully connected (N-1 ports each, so N <= 17)
//   ring:N          N >= 3 chips in a ring
//   torus:AxB[xC]   2-D or 3-D torus, every extent >= 3
//   mesh:AxB[xC]    2-D or 3-D mesh, every extent >= 1
//   dragonfly:R     R racks (1..145) of 9 nodes of 8 chips (R*72 chips);
//   dragonfly:R,spare   the same with the 9th node of every rack marked spare
//   PATH            a topology file: .json (text) or .topo.bin (Cap'n Proto)
// Anything else throws lpu::Error naming the spec and the accepted forms.
#include <string>

#include "topology/topology.hpp"

namespace lpu::topology {

Topology topology_from_spec(const std::string& spec);

// The accepted forms, for --help texts.
const char* topology_spec_help();

}  // namespace lpu::topology
