#include "topology/dragonfly.hpp"

#include <string>
#include <vector>

#include "base/error.hpp"

namespace lpu::topology {
namespace {

constexpr PortIndex first_intra_rack_port = dragonfly_local_ports;                               // 7
constexpr PortIndex first_inter_rack_port = first_intra_rack_port + dragonfly_intra_rack_ports;  // 9

ChipId chip_id(std::uint32_t rack, std::uint32_t node, std::uint32_t chip) {
    return rack * dragonfly_chips_per_rack + node * dragonfly_chips_per_node + chip;
}

// Index of `peer` among the other members 0..count-1 (skipping `self`).
std::uint32_t peer_index(std::uint32_t self, std::uint32_t peer) { return peer < self ? peer : peer - 1; }

void add_node_links(std::uint32_t rack, std::uint32_t node, std::vector<Link>& links) {
    for (std::uint32_t i = 0; i < dragonfly_chips_per_node; ++i) {
        for (std::uint32_t j = i + 1; j < dragonfly_chips_per_node; ++j) {
            links.push_back({chip_id(rack, node, i), static_cast<PortIndex>(peer_index(i, j)), chip_id(rack, node, j),
                             static_cast<PortIndex>(peer_index(j, i)), {}, {}});
        }
    }
}

void add_intra_rack_links(std::uint32_t rack, std::vector<Link>& links) {
    for (std::uint32_t u = 0; u < dragonfly_nodes_per_rack; ++u) {
        for (std::uint32_t v = u + 1; v < dragonfly_nodes_per_rack; ++v) {
            for (std::uint32_t k = 0; k < dragonfly_intra_rack_ports; ++k) {
                const auto port = static_cast<PortIndex>(first_intra_rack_port + k);
                const std::uint32_t chip_u = (peer_index(u, v) + 4 * k) % dragonfly_chips_per_node;
                const std::uint32_t chip_v = (peer_index(v, u) + 4 * k) % dragonfly_chips_per_node;
                links.push_back({chip_id(rack, u, chip_u), port, chip_id(rack, v, chip_v), port, {}, {}});
            }
        }
    }
}

struct RackPort {
    ChipId chip;
    PortIndex port;
};

RackPort inter_rack_slot(std::uint32_t rack, std::uint32_t slot) {
    const std::uint32_t node = slot % dragonfly_nodes_per_rack, within_node = slot / dragonfly_nodes_per_rack;
    return {chip_id(rack, node, within_node % dragonfly_chips_per_node),
            static_cast<PortIndex>(first_inter_rack_port + within_node / dragonfly_chips_per_node)};
}

void add_inter_rack_links(std::uint32_t racks, std::vector<Link>& links) {
    if (racks < 2) return;
    const std::uint32_t per_pair = dragonfly_inter_rack_links_per_rack / (racks - 1);
    for (std::uint32_t r = 0; r < racks; ++r) {
        for (std::uint32_t s = r + 1; s < racks; ++s) {
            const std::uint32_t d = s - r;
            for (std::uint32_t k = 0; k < per_pair; ++k) {
                const auto a = inter_rack_slot(r, (d - 1) * per_pair + k);
                const auto b = inter_rack_slot(s, (racks - d - 1) * per_pair + k);
                links.push_back({a.chip, a.port, b.chip, b.port, {}, {}});
            }
        }
    }
}

}  // namespace

Topology dragonfly(const DragonflyOptions& options) {
    const std::uint32_t racks = options.racks;
    require(racks >= 1 && racks <= dragonfly_max_racks,
            "dragonfly: racks must be 1.." + std::to_string(dragonfly_max_racks) + " (a rack has " +
                std::to_string(dragonfly_inter_rack_links_per_rack) + " inter-rack ports), got " + std::to_string(racks));
    std::vector<Chip> chips;
    chips.reserve(static_cast<std::size_t>(racks) * dragonfly_chips_per_rack);
    for (std::uint32_t rack = 0; rack < racks; ++rack) {
        for (std::uint32_t node = 0; node < dragonfly_nodes_per_rack; ++node) {
            const bool spare = options.spare_node && node + 1 == dragonfly_nodes_per_rack;
            for (std::uint32_t chip = 0; chip < dragonfly_chips_per_node; ++chip) {
                chips.push_back({default_ports_per_chip, rack * dragonfly_nodes_per_rack + node, rack, spare});
            }
        }
    }
    std::vector<Link> links;
    for (std::uint32_t rack = 0; rack < racks; ++rack) {
        for (std::uint32_t node = 0; node < dragonfly_nodes_per_rack; ++node) add_node_links(rack, node, links);
        add_intra_rack_links(rack, links);
    }
    add_inter_rack_links(racks, links);

    TopologyInfo info;
    info.name = "dragonfly:" + std::to_string(racks) + (options.spare_node ? ",spare" : "");
    // Rotating racks (r -> r+1 mod R) maps the wiring onto itself.
    for (ChipId id = 0; id < dragonfly_chips_per_rack; ++id) info.representative_chips.push_back(id);
    return Topology(std::move(chips), std::move(links), std::move(info));
}

}  // namespace lpu::topology
