#pragma once
// Participant sets and the topology each algorithm is exercised on, shared
// by the collectives tests so they all cover the same cases.
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::collectives::testing {

// The participant counts of the acceptance.
inline constexpr std::size_t participant_counts[] = {2, 3, 4, 7, 8, 16, 72};

// Chips 0..n-1.
inline std::vector<topology::ChipId> first_chips(std::size_t n) {
    std::vector<topology::ChipId> chips(n);
    std::iota(chips.begin(), chips.end(), topology::ChipId{0});
    return chips;
}

// The topology `algorithm` runs on with chips 0..n-1: a grid whose every chip
// takes part for torus, else one Dragonfly rack (72 chips in 9 nodes of 8).
inline std::string topology_for(const std::string& algorithm, std::size_t n) {
    if (algorithm != "torus") return "dragonfly:1";
    switch (n) {
        case 2: return "mesh:1x2";
        case 3: return "mesh:1x3";
        case 4: return "mesh:2x2";
        case 7: return "mesh:1x7";
        case 8: return "mesh:2x4";
        case 16: return "torus:4x4";
        default: return "torus:3x4x6";
    }
}

}  // namespace lpu::collectives::testing
