#pragma once
// Whole-topology figures: size, port use, hop distances, bisection.
//
// Distances come from BFS, chosen so that 10,440 chips take milliseconds:
//   - exact, all sources, when chips <= exact_all_sources_limit;
//   - exact from TopologyInfo::representative_chips when the builder declared
//     a symmetry (torus/ring/fc: chip 0; Dragonfly: the 72 chips of rack 0) —
//     every chip's distance profile equals its representative's;
//   - otherwise sampled: sample_sources sources evenly spaced by id; the
//     diameter is then a lower bound and avg_hops an estimate.
// Bisection is an estimate (an upper bound on the minimum balanced cut): the
// fewest links crossing any of the candidate halvings — contiguous id ranges
// at 8 rotations, for grids the halving of each dimension, for hierarchies the
// lower half of the racks (or nodes) by index.
#include <cstddef>
#include <cstdint>
#include <string>

#include "topology/topology.hpp"

namespace lpu::topology {

enum class DistanceMethod { exact_all_sources, exact_by_symmetry, sampled };

const char* to_string(DistanceMethod method);

struct TopologyMetrics {
    std::size_t chips = 0;
    std::size_t links = 0;
    std::size_t ports_used = 0;
    std::size_t ports_total = 0;
    std::uint32_t diameter_hops = 0;
    double avg_hops = 0.0;  // over ordered pairs of distinct chips
    std::size_t bisection_links = 0;
    DistanceMethod distance_method = DistanceMethod::exact_all_sources;
    std::size_t bfs_sources = 0;
};

struct MetricsOptions {
    std::size_t exact_all_sources_limit = 2048;
    std::size_t sample_sources = 64;
};

TopologyMetrics compute_metrics(const Topology& topology, const MetricsOptions& options = {});

}  // namespace lpu::topology
