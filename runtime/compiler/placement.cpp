#include "runtime/compiler/placement.hpp"

#include <algorithm>
#include <tuple>
#include <optional>

#include "base/error.hpp"

namespace lpu::compiler {
namespace {

// The untaken, non-spare chip closest to `from` (BFS in port order; among the
// chips at the first distance that has any, the lowest id).
std::optional<topology::ChipId> nearest_free(const topology::Topology& topology, topology::ChipId from,
                                             const std::vector<bool>& taken) {
    std::vector<bool> seen(topology.chip_count(), false);
    std::vector<topology::ChipId> frontier{from};
    seen[from] = true;
    while (!frontier.empty()) {
        std::vector<topology::ChipId> next;
        std::optional<topology::ChipId> best;
        for (topology::ChipId chip : frontier) {
            for (const auto& adjacency : topology.neighbours(chip)) {
                if (seen[adjacency.peer]) continue;
                seen[adjacency.peer] = true;
                next.push_back(adjacency.peer);
                if (!taken[adjacency.peer] && !topology.chip(adjacency.peer).spare && (!best || adjacency.peer < *best)) {
                    best = adjacency.peer;
                }
            }
        }
        if (best) return best;
        frontier = std::move(next);
    }
    return std::nullopt;
}

}  // namespace

std::vector<topology::ChipId> Placement::tp_group(int stage) const {
    const auto begin = chips.begin() + static_cast<std::ptrdiff_t>(stage) * tp;
    return {begin, begin + tp};
}

Placement Placement::replica(int index) const {
    invariant(index >= 0 && index < replicas, [&] {
        return "replica " + std::to_string(index) + " does not exist (" + std::to_string(replicas) + " replicas)";
    });
    const std::size_t size = static_cast<std::size_t>(tp) * static_cast<std::size_t>(pp);
    const auto begin = chips.begin() + static_cast<std::ptrdiff_t>(size * static_cast<std::size_t>(index));
    return {tp, pp, 1, {begin, begin + static_cast<std::ptrdiff_t>(size)}};
}

Placement place_grid(const topology::Topology& topology, int tp, int pp, int replicas) {
    require(tp >= 1 && pp >= 1 && replicas >= 1, [&] {
        return "tp, pp and replicas must be >= 1, got tp " + std::to_string(tp) + " pp " + std::to_string(pp) +
               " replicas " + std::to_string(replicas);
    });
    const std::size_t needed =
        static_cast<std::size_t>(tp) * static_cast<std::size_t>(pp) * static_cast<std::size_t>(replicas);
    std::size_t usable = 0;
    for (const auto& chip : topology.chips()) usable += chip.spare ? 0 : 1;
    require(usable >= needed, [&] {
        std::string message = "the grid tp " + std::to_string(tp) + " x pp " + std::to_string(pp);
        if (replicas > 1) message.append(" x ").append(std::to_string(replicas)).append(" replicas");
        return message.append(" needs ")
            .append(std::to_string(needed))
            .append(" chips, the topology '")
            .append(topology.info().name)
            .append("' has ")
            .append(std::to_string(usable));
    });
    Placement placement{tp, pp, replicas, {}};
    if (topology.has_nodes()) {
        std::vector<topology::ChipId> order;
        for (topology::ChipId chip = 0; chip < topology.chip_count(); ++chip) {
            if (!topology.chip(chip).spare) order.push_back(chip);
        }
        std::stable_sort(order.begin(), order.end(), [&](topology::ChipId a, topology::ChipId b) {
            const auto& x = topology.chip(a);
            const auto& y = topology.chip(b);
            return std::tie(x.rack, x.node) < std::tie(y.rack, y.node);
        });
        placement.chips.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(needed));
        return placement;
    }
    std::vector<bool> taken(topology.chip_count(), false);
    topology::ChipId current = 0;
    while (topology.chip(current).spare) ++current;
    for (;;) {
        taken[current] = true;
        placement.chips.push_back(current);
        if (placement.chips.size() == needed) break;
        const auto next = nearest_free(topology, current, taken);
        require(next.has_value(), "placement: no free chip reachable from chip " + std::to_string(current));
        current = *next;
    }
    return placement;
}

Placement given_placement(const topology::Topology& topology, int tp, int pp, int replicas,
                          std::vector<topology::ChipId> chips) {
    const std::size_t needed =
        static_cast<std::size_t>(tp) * static_cast<std::size_t>(pp) * static_cast<std::size_t>(replicas);
    require(chips.size() == needed, [&] {
        return "the placement lists " + std::to_string(chips.size()) + " chips, the grid tp " + std::to_string(tp) +
               " x pp " + std::to_string(pp) + " x " + std::to_string(replicas) + " replica(s) needs " +
               std::to_string(needed);
    });
    std::vector<bool> taken(topology.chip_count(), false);
    for (topology::ChipId chip : chips) {
        require(chip < topology.chip_count(), [&] {
            return "the placement names chip " + std::to_string(chip) + ", the topology '" + topology.info().name +
                   "' has " + std::to_string(topology.chip_count());
        });
        require(!taken[chip], [&] { return "the placement names chip " + std::to_string(chip) + " twice"; });
        taken[chip] = true;
    }
    return {tp, pp, replicas, std::move(chips)};
}

}  // namespace lpu::compiler
