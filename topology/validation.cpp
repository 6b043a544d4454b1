#include "topology/validation.hpp"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "base/error.hpp"

namespace lpu::topology {
namespace {

std::string link_name(std::size_t index) { return "link " + std::to_string(index); }

void check_chips(std::span<const Chip> chips) {
    require(!chips.empty(), "topology has no chips");
    require(chips.size() <= max_chips, "topology has " + std::to_string(chips.size()) + " chips, more than the limit of " +
                                           std::to_string(max_chips));
    for (std::size_t id = 0; id < chips.size(); ++id) {
        require(chips[id].port_count <= max_ports_per_chip,
                "chip " + std::to_string(id) + " has " + std::to_string(chips[id].port_count) +
                    " ports, more than the limit of " + std::to_string(max_ports_per_chip));
    }
}

void check_end(std::span<const Chip> chips, std::size_t index, const char* side, ChipId chip, PortIndex port) {
    require(chip < chips.size(), link_name(index) + " (" + side + ") names chip " + std::to_string(chip) +
                                     ", but the topology has " + std::to_string(chips.size()) + " chips (0-" +
                                     std::to_string(chips.size() - 1) + "): dangling link");
    require(port < chips[chip].port_count,
            "port budget exceeded: " + link_name(index) + " uses port " + std::to_string(port) + " of chip " +
                std::to_string(chip) + ", which has " + std::to_string(chips[chip].port_count) + " ports");
}

// Sorts every (chip, port) use; two equal neighbours are an error naming both
// links. Sorting keeps memory proportional to the links, whatever port counts
// a file declares.
void check_ports_once(std::span<const Link> links) {
    struct PortUse {
        ChipId chip;
        PortIndex port;
        std::size_t link;
    };
    std::vector<PortUse> uses;
    uses.reserve(links.size() * 2);
    for (std::size_t index = 0; index < links.size(); ++index) {
        uses.push_back({links[index].a, links[index].port_a, index});
        uses.push_back({links[index].b, links[index].port_b, index});
    }
    std::sort(uses.begin(), uses.end(), [](const PortUse& x, const PortUse& y) {
        return std::tie(x.chip, x.port, x.link) < std::tie(y.chip, y.port, y.link);
    });
    for (std::size_t i = 1; i < uses.size(); ++i) {
        const auto& first = uses[i - 1];
        const auto& second = uses[i];
        require(first.chip != second.chip || first.port != second.port,
                "port " + std::to_string(second.port) + " of chip " + std::to_string(second.chip) + " is used twice: by " +
                    link_name(first.link) + " and " + link_name(second.link));
    }
}

void check_connected(std::span<const Chip> chips, std::span<const Link> links) {
    // Union-find: no adjacency needed, linear in links.
    std::vector<ChipId> parent(chips.size());
    for (ChipId id = 0; id < parent.size(); ++id) parent[id] = id;
    auto root = [&](ChipId id) {
        while (parent[id] != id) id = parent[id] = parent[parent[id]];
        return id;
    };
    for (const auto& link : links) {
        const ChipId ra = root(link.a), rb = root(link.b);
        if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
    }
    for (ChipId id = 0; id < chips.size(); ++id) {
        require(root(id) == root(0), "disconnected graph: chip " + std::to_string(id) + " is unreachable from chip 0");
    }
}

void check_info(std::span<const Chip> chips, const TopologyInfo& info) {
    if (!info.grid_dims.empty()) {
        std::size_t product = 1;
        for (auto extent : info.grid_dims) {
            require(extent > 0 && product <= max_chips, "grid_dims: every extent must be positive and the product at most " +
                                                            std::to_string(max_chips));
            product *= extent;
        }
        require(product == chips.size(), "grid_dims multiply to " + std::to_string(product) + " but the topology has " +
                                              std::to_string(chips.size()) + " chips");
    }
    for (auto chip : info.representative_chips) {
        require(chip < chips.size(), "representative_chips names chip " + std::to_string(chip) + ", but the topology has " +
                                         std::to_string(chips.size()) + " chips");
    }
}

void check_hierarchy(std::span<const Chip> chips) {
    const bool nodes = chips.front().node.has_value(), racks = chips.front().rack.has_value();
    for (std::size_t id = 0; id < chips.size(); ++id) {
        require(chips[id].node.has_value() == nodes && chips[id].rack.has_value() == racks,
                "chip " + std::to_string(id) + ": node/rack must be given for every chip or for none");
    }
}

}  // namespace

void validate_wiring(std::span<const Chip> chips, std::span<const Link> links, const TopologyInfo& info) {
    check_chips(chips);
    check_hierarchy(chips);
    for (std::size_t index = 0; index < links.size(); ++index) {
        const auto& link = links[index];
        check_end(chips, index, "a", link.a, link.port_a);
        check_end(chips, index, "b", link.b, link.port_b);
        require(link.a != link.b, link_name(index) + " connects chip " + std::to_string(link.a) + " to itself (self-link)");
        require(!link.latency_ps || *link.latency_ps > 0,
                link_name(index) + ": latency_ps must be positive, got " + std::to_string(link.latency_ps.value_or(0)));
        require(!link.bandwidth_bytes_per_s || *link.bandwidth_bytes_per_s > 0,
                link_name(index) + ": bandwidth_bytes_per_s must be positive, got " +
                    std::to_string(link.bandwidth_bytes_per_s.value_or(0)));
    }
    check_ports_once(links);
    check_connected(chips, links);
    check_info(chips, info);
}

}  // namespace lpu::topology
