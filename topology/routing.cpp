#include "topology/routing.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>

#include "base/error.hpp"

namespace lpu::topology {
namespace {

void require_chip(const Topology& topology, ChipId chip, const char* role) {
    require(chip < topology.chip_count(), std::string(role) + " chip " + std::to_string(chip) +
                                              " does not exist (the topology has " +
                                              std::to_string(topology.chip_count()) + " chips)");
}

// Depth-first enumeration of minimal routes: from each chip, step to the
// neighbours one hop closer to the destination, ports in ascending order.
// Iterative (an explicit stack), so a route as long as a million-chip ring
// cannot overflow the call stack. Every step gets closer, so there are no dead
// ends: the cost is O(routes found x hops x ports).
std::vector<Route> walk_minimal_routes(const Topology& topology, ChipId source,
                                       const DistanceMap& to_destination, std::size_t max_routes) {
    std::vector<Route> found;
    Route current;
    current.chips = {source};
    std::vector<std::size_t> next_port = {0};  // per depth: the neighbour to try next
    auto go_back = [&] {
        current.chips.pop_back();
        if (!current.channels.empty()) current.channels.pop_back();
        next_port.pop_back();
    };
    while (!next_port.empty() && found.size() < max_routes) {
        const ChipId chip = current.chips.back();
        if (to_destination[chip] == 0) {
            found.push_back(current);
            go_back();
            continue;
        }
        const auto neighbours = topology.neighbours(chip);
        std::size_t index = next_port.back();
        while (index < neighbours.size() && to_destination[neighbours[index].peer] + 1 != to_destination[chip]) ++index;
        if (index == neighbours.size()) {
            go_back();
            continue;
        }
        next_port.back() = index + 1;
        current.chips.push_back(neighbours[index].peer);
        current.channels.push_back(neighbours[index].outgoing);
        next_port.push_back(0);
    }
    return found;
}

// The first minimal route (lowest ports first) from `source` towards the chip
// whose distance map is `to_target`.
Route first_minimal_route(const Topology& topology, ChipId source, const DistanceMap& to_target) {
    return std::move(walk_minimal_routes(topology, source, to_target, 1).front());
}

Route reversed(Route route) {
    std::reverse(route.chips.begin(), route.chips.end());
    std::reverse(route.channels.begin(), route.channels.end());
    for (auto& channel : route.channels) {
        const auto back = channel_direction(channel) == Direction::a_to_b ? Direction::b_to_a : Direction::a_to_b;
        channel = channel_id(channel_link(channel), back);
    }
    return route;
}

// The group an intermediate must come from, at the coarsest level where the
// endpoints differ; `of` gives the group index of a chip at that level.
struct GroupLevel {
    enum Kind { rack, node, chip } kind;
    std::uint32_t of(const Chip& c, ChipId id) const {
        switch (kind) {
            case rack: return *c.rack;
            case node: return *c.node;
            case chip: break;
        }
        return id;
    }
};

GroupLevel group_level(const Topology& topology, ChipId source, ChipId destination) {
    const auto& s = topology.chip(source);
    const auto& d = topology.chip(destination);
    if (topology.has_racks() && s.rack != d.rack) return {GroupLevel::rack};
    if (topology.has_nodes() && s.node != d.node) return {GroupLevel::node};
    return {GroupLevel::chip};
}

bool visits_a_chip_twice(const Route& route) {
    auto chips = route.chips;
    std::sort(chips.begin(), chips.end());
    return std::adjacent_find(chips.begin(), chips.end()) != chips.end();
}

// Distances are symmetric (every link carries both directions), so the map
// from a chip is also the map to it.
std::shared_ptr<const DistanceMap> cached_distances(const Topology& topology, ChipId chip) {
    return topology.distance_cache().get(chip, [&] { return hop_distances(topology, chip); });
}

}  // namespace

std::vector<std::uint32_t> hop_distances(const Topology& topology, ChipId source) {
    require_chip(topology, source, "source");
    std::vector<std::uint32_t> distance(topology.chip_count(), unreachable_hops);
    std::vector<ChipId> queue;
    queue.reserve(topology.chip_count());
    distance[source] = 0;
    queue.push_back(source);
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const ChipId chip = queue[head];
        for (const auto& next : topology.neighbours(chip)) {
            if (distance[next.peer] != unreachable_hops) continue;
            distance[next.peer] = distance[chip] + 1;
            queue.push_back(next.peer);
        }
    }
    return distance;
}

std::uint32_t hop_count(const Topology& topology, ChipId source, ChipId destination) {
    require_chip(topology, source, "source");
    require_chip(topology, destination, "destination");
    return (*cached_distances(topology, destination))[source];
}

std::vector<Route> minimal_routes(const Topology& topology, ChipId source, ChipId destination, std::size_t max_routes) {
    require_chip(topology, source, "source");
    require_chip(topology, destination, "destination");
    if (max_routes == 0) return {};
    return walk_minimal_routes(topology, source, *cached_distances(topology, destination), max_routes);
}

std::vector<Route> indirect_routes(const Topology& topology, ChipId source, ChipId destination, std::size_t max_routes) {
    require_chip(topology, source, "source");
    require_chip(topology, destination, "destination");
    if (source == destination) return {};
    const auto from_source_map = cached_distances(topology, source);
    const auto to_destination_map = cached_distances(topology, destination);
    const DistanceMap& from_source = *from_source_map;
    const DistanceMap& to_destination = *to_destination_map;
    const std::uint32_t minimal = to_destination[source];
    const GroupLevel level = group_level(topology, source, destination);
    const auto source_group = level.of(topology.chip(source), source);
    const auto destination_group = level.of(topology.chip(destination), destination);

    struct Candidate {
        std::uint32_t hops;
        std::uint32_t group;
        ChipId chip;
    };
    std::vector<Candidate> candidates;
    for (ChipId id = 0; id < topology.chip_count(); ++id) {
        const auto group = level.of(topology.chip(id), id);
        const std::uint32_t hops = from_source[id] + to_destination[id];
        if (group == source_group || group == destination_group || hops <= minimal) continue;
        candidates.push_back({hops, group, id});
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
        return std::tie(x.hops, x.group, x.chip) < std::tie(y.hops, y.group, y.chip);
    });

    std::vector<Route> routes;
    std::vector<std::uint32_t> used_groups;
    // Each attempt walks two legs (O(hops)); bounding the attempts keeps a
    // million-chip ring, where most candidates repeat a route, from taking O(n^2).
    const std::size_t max_attempts = 4 * max_routes + 16;
    std::size_t attempts = 0;
    for (const auto& candidate : candidates) {
        if (routes.size() >= max_routes || attempts >= max_attempts) break;
        if (std::find(used_groups.begin(), used_groups.end(), candidate.group) != used_groups.end()) continue;
        // Leg 1 walks back from the intermediate along from_source, then turns round.
        ++attempts;
        Route route = reversed(first_minimal_route(topology, candidate.chip, from_source));
        const Route second = first_minimal_route(topology, candidate.chip, to_destination);
        route.chips.insert(route.chips.end(), second.chips.begin() + 1, second.chips.end());
        route.channels.insert(route.channels.end(), second.channels.begin(), second.channels.end());
        if (visits_a_chip_twice(route)) continue;
        // Different intermediates on one route (a ring walked the other way) are one route.
        const bool seen = std::any_of(routes.begin(), routes.end(),
                                      [&](const Route& other) { return other.channels == route.channels; });
        if (seen) continue;
        used_groups.push_back(candidate.group);
        routes.push_back(std::move(route));
    }
    return routes;
}

}  // namespace lpu::topology
