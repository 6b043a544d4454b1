#pragma once
// Deterministic static routes, computed on demand per (source, destination):
// nothing is precomputed for all pairs, so a 10,440-chip system costs one or
// two BFS (O(chips + links)) per query.
//
// Order: routes are enumerated depth-first from the source, taking each chip's
// ports in ascending order, so the same topology always yields the same routes
// in the same order. Parallel links count as distinct routes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "topology/topology.hpp"

namespace lpu::topology {

inline constexpr std::uint32_t unreachable_hops = UINT32_MAX;
inline constexpr std::size_t default_max_routes = 16;

struct Route {
    std::vector<ChipId> chips;         // source first, destination last
    std::vector<ChannelId> channels;   // channels[i] goes chips[i] -> chips[i+1]
    std::size_t hops() const { return channels.size(); }
};

// Hops from `source` to every chip (BFS).
std::vector<std::uint32_t> hop_distances(const Topology& topology, ChipId source);

std::uint32_t hop_count(const Topology& topology, ChipId source, ChipId destination);

// All minimal routes, at most max_routes of them, in the deterministic order.
// source == destination gives one empty route.
std::vector<Route> minimal_routes(const Topology& topology, ChipId source, ChipId destination,
                                  std::size_t max_routes = default_max_routes);

// One-hop-indirect (non-minimal) alternatives: source -> intermediate -> destination,
// each leg minimal, the whole route longer than minimal and visiting no chip
// twice. The intermediate is taken from a third group at the coarsest level
// where source and destination differ: another rack for chips in different
// racks, another node for different nodes of one rack, otherwise any other
// chip. One route per intermediate group, groups ordered by route length,
// then by group index; inside a group the chip that gives the shortest route
// (lowest id on ties). Identical routes reached through different
// intermediates are listed once. At most max_routes routes, from at most
// 4 * max_routes + 16 candidate intermediates tried. There may be none:
// when every chip lies on a minimal path, or a Dragonfly has no third rack.
std::vector<Route> indirect_routes(const Topology& topology, ChipId source, ChipId destination,
                                   std::size_t max_routes = default_max_routes);

}  // namespace lpu::topology
