#pragma once
// The float fold orders the algorithm headers document, as plain scalar code:
// from every participant's input, the all-reduce result each algorithm must
// produce, computed without its schedule or the executor. Float addition is
// commutative bitwise (a + b == b + a) but not associative, so a fold is
// fixed by its tree of additions, which is what these functions spell out.
#include <string>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::collectives::testing {

// inputs[i][e]: participant i's element e; participants are chips 0..n-1 of
// `topology`, as the torus algorithm requires. Returns element e of the
// all-reduce for every e. Throws lpu::Error for an unknown algorithm.
std::vector<float> documented_all_reduce(const std::string& algorithm, const topology::Topology& topology,
                                         const std::vector<std::vector<float>>& inputs);

}  // namespace lpu::collectives::testing
