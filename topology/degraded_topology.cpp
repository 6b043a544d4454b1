#include "topology/degraded_topology.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "base/error.hpp"

namespace lpu::topology {
namespace {

void require_chip(const Topology& topology, ChipId chip) {
    require(chip < topology.chip_count(), [&] {
        return "chip " + std::to_string(chip) + " does not exist (the topology '" + topology.info().name + "' has " +
               std::to_string(topology.chip_count()) + " chips, 0-" + std::to_string(topology.chip_count() - 1) + ")";
    });
}

// The first chip, in id order, that the chips left cannot reach from the
// lowest one left, when `dead_chip` and the links marked dead are gone. Checked
// here, on the whole system's ids, so the error names the chip as users know it.
void require_connected_without(const Topology& topology, std::optional<ChipId> dead_chip,
                               const std::vector<bool>& dead_link, const std::string& failure) {
    const ChipId start = dead_chip == ChipId{0} ? 1 : 0;
    std::vector<bool> reached(topology.chip_count(), false);
    std::vector<ChipId> queue{start};
    reached[start] = true;
    for (std::size_t head = 0; head < queue.size(); ++head) {
        for (const auto& adjacency : topology.neighbours(queue[head])) {
            if (dead_link[adjacency.link] || adjacency.peer == dead_chip || reached[adjacency.peer]) continue;
            reached[adjacency.peer] = true;
            queue.push_back(adjacency.peer);
        }
    }
    for (ChipId chip = 0; chip < topology.chip_count(); ++chip) {
        require(reached[chip] || chip == dead_chip, [&] {
            return "without " + failure + " the system '" + topology.info().name + "' falls apart: chip " +
                   std::to_string(chip) + " can no longer reach chip " + std::to_string(start);
        });
    }
}

TopologyInfo degraded_info(const Topology& topology, const std::string& failure) {
    TopologyInfo info;
    info.name = topology.info().name + " without " + failure;
    return info;
}

}  // namespace

ChipId DegradedTopology::degraded_id(ChipId original) const {
    const auto at = std::lower_bound(original_chip.begin(), original_chip.end(), original);
    require(at != original_chip.end() && *at == original,
            "chip " + std::to_string(original) + " is not in the system '" + topology.info().name + "'");
    return static_cast<ChipId>(at - original_chip.begin());
}

std::vector<LinkId> links_between(const Topology& topology, ChipId a, ChipId b) {
    require_chip(topology, a);
    require_chip(topology, b);
    std::vector<LinkId> links;
    for (const auto& adjacency : topology.neighbours(a)) {
        if (adjacency.peer == b) links.push_back(adjacency.link);
    }
    std::sort(links.begin(), links.end());
    require(!links.empty(), [&] {
        std::string peers;
        for (const auto& adjacency : topology.neighbours(a)) {
            peers += (peers.empty() ? "" : ", ") + std::to_string(adjacency.peer);
        }
        return "chips " + std::to_string(a) + " and " + std::to_string(b) + " have no link between them in '" +
               topology.info().name + "' (chip " + std::to_string(a) + " is linked to " + peers + ")";
    });
    return links;
}

DegradedTopology without_chip(const Topology& topology, ChipId chip) {
    require_chip(topology, chip);
    const std::string failure = "chip " + std::to_string(chip);
    require(topology.chip_count() > 1, "without " + failure + " the system '" + topology.info().name + "' has no chips");
    require_connected_without(topology, chip, std::vector<bool>(topology.link_count(), false), failure);
    const auto renumbered = [&](ChipId id) { return id > chip ? id - 1 : id; };
    std::vector<Chip> chips;
    std::vector<ChipId> original;
    for (ChipId id = 0; id < topology.chip_count(); ++id) {
        if (id == chip) continue;
        chips.push_back(topology.chip(id));
        original.push_back(id);
    }
    std::vector<Link> links;
    for (Link link : topology.links()) {
        if (link.a == chip || link.b == chip) continue;
        link.a = renumbered(link.a);
        link.b = renumbered(link.b);
        links.push_back(link);
    }
    return {Topology(std::move(chips), std::move(links), degraded_info(topology, failure)), std::move(original)};
}

DegradedTopology without_link(const Topology& topology, ChipId a, ChipId b) {
    const std::vector<LinkId> dead = links_between(topology, a, b);
    const std::string failure = "link " + std::to_string(a) + "-" + std::to_string(b);
    std::vector<bool> dead_link(topology.link_count(), false);
    for (LinkId link : dead) dead_link[link] = true;
    require_connected_without(topology, std::nullopt, dead_link, failure);
    std::vector<Link> links;
    for (LinkId id = 0; id < topology.link_count(); ++id) {
        if (!dead_link[id]) links.push_back(topology.link(id));
    }
    std::vector<ChipId> original(topology.chip_count());
    for (ChipId id = 0; id < original.size(); ++id) original[id] = id;
    std::vector<Chip> chips(topology.chips().begin(), topology.chips().end());
    return {Topology(std::move(chips), std::move(links), degraded_info(topology, failure)), std::move(original)};
}

}  // namespace lpu::topology
