#include "topology/builders.hpp"

#include <string>

#include "base/error.hpp"
#include "topology/validation.hpp"

namespace lpu::topology {
namespace {

void require_ports(const std::string& name, std::size_t needed, PortIndex available) {
    require(needed <= available, name + " needs " + std::to_string(needed) + " ports per chip, but a chip has " +
                                     std::to_string(available));
}

std::string grid_name(const char* family, const std::vector<std::uint32_t>& extents) {
    std::string name = family;
    name += ':';
    for (std::size_t d = 0; d < extents.size(); ++d) {
        if (d > 0) name += 'x';
        name += std::to_string(extents[d]);
    }
    return name;
}

// Torus and mesh (and ring, a 1-D torus) share the wiring; `wrap` adds the
// links from the last coordinate back to the first.
Topology grid(const std::string& name, const std::vector<std::uint32_t>& extents, bool wrap, std::uint32_t min_extent,
              PortIndex ports_per_chip) {
    require(!extents.empty(), name + ": needs at least one dimension");
    std::size_t chip_count = 1;
    for (auto extent : extents) {
        require(extent >= min_extent, name + ": every extent must be at least " + std::to_string(min_extent));
        require(chip_count * extent <= max_chips,
                name + ": more than the limit of " + std::to_string(max_chips) + " chips");
        chip_count *= extent;
    }
    require_ports(name, 2 * extents.size(), ports_per_chip);

    std::vector<Link> links;
    std::size_t stride = chip_count;  // distance in ids between neighbours along d
    for (std::size_t d = 0; d < extents.size(); ++d) {
        stride /= extents[d];
        const auto plus = static_cast<PortIndex>(2 * d), minus = static_cast<PortIndex>(2 * d + 1);
        for (std::size_t id = 0; id < chip_count; ++id) {
            const std::size_t coordinate = (id / stride) % extents[d];
            if (coordinate + 1 < extents[d]) {
                links.push_back({static_cast<ChipId>(id), plus, static_cast<ChipId>(id + stride), minus, {}, {}});
            } else if (wrap) {
                const std::size_t first = id - coordinate * stride;
                links.push_back({static_cast<ChipId>(id), plus, static_cast<ChipId>(first), minus, {}, {}});
            }
        }
    }
    TopologyInfo info{name, extents, {}};
    if (wrap) info.representative_chips = {0};  // a torus is vertex-transitive
    return Topology(std::vector<Chip>(chip_count, Chip{ports_per_chip, {}, {}, false}), std::move(links), std::move(info));
}

}  // namespace

Topology fully_connected(std::uint32_t chips, PortIndex ports_per_chip) {
    const std::string name = "fc:" + std::to_string(chips);
    require(chips >= 1, name + ": needs at least one chip");
    require_ports(name, chips - 1, ports_per_chip);
    std::vector<Link> links;
    for (ChipId i = 0; i < chips; ++i) {
        for (ChipId j = i + 1; j < chips; ++j) {
            links.push_back({i, static_cast<PortIndex>(j - 1), j, static_cast<PortIndex>(i), {}, {}});
        }
    }
    return Topology(std::vector<Chip>(chips, Chip{ports_per_chip, {}, {}, false}), std::move(links),
                    TopologyInfo{name, {}, {0}});
}

Topology ring(std::uint32_t chips, PortIndex ports_per_chip) {
    return grid("ring:" + std::to_string(chips), {chips}, true, 3, ports_per_chip);
}

Topology torus(const std::vector<std::uint32_t>& extents, PortIndex ports_per_chip) {
    return grid(grid_name("torus", extents), extents, true, 3, ports_per_chip);
}

Topology mesh(const std::vector<std::uint32_t>& extents, PortIndex ports_per_chip) {
    return grid(grid_name("mesh", extents), extents, false, 1, ports_per_chip);
}

}  // namespace lpu::topology
