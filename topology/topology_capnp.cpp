// The Cap'n Proto form of topology/topology_io.hpp (schema/topology.capnp).
#include <cstring>
#include <string>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include "base/error.hpp"
#include "schema/topology.capnp.h"
#include "topology/topology_io.hpp"
#include "topology/validation.hpp"

namespace lpu::topology {
namespace {

constexpr std::uint32_t capnp_format_version = 1;

std::optional<std::uint32_t> group_from_capnp(std::uint32_t value) {
    if (value == schema::NO_GROUP) return std::nullopt;
    return value;
}

std::optional<std::int64_t> override_from_capnp(std::int64_t value) {
    if (value == 0) return std::nullopt;
    return value;
}

Topology from_reader(schema::TopologyFile::Reader file, const std::string& origin) {
    require(file.getVersion() == capnp_format_version,
            "topology file '" + origin + "': unsupported version " + std::to_string(file.getVersion()) +
                ", this build reads version " + std::to_string(capnp_format_version));
    // Each list is fetched once: every fetch counts against the traversal limit.
    const auto chip_list = file.getChips();
    const auto link_list = file.getLinks();
    require(chip_list.size() <= max_chips,
            "topology file '" + origin + "': more than " + std::to_string(max_chips) + " chips");
    TopologyInfo info;
    info.name = file.getName().cStr();
    for (auto extent : file.getGridDims()) info.grid_dims.push_back(extent);
    for (auto chip : file.getRepresentativeChips()) info.representative_chips.push_back(chip);
    std::vector<Chip> chips;
    chips.reserve(chip_list.size());
    for (auto chip : chip_list) {
        chips.push_back({chip.getPortCount(), group_from_capnp(chip.getNode()), group_from_capnp(chip.getRack()),
                         chip.getSpare()});
    }
    std::vector<Link> links;
    links.reserve(link_list.size());
    for (auto link : link_list) {
        links.push_back({link.getA(), link.getPortA(), link.getB(), link.getPortB(), override_from_capnp(link.getLatencyPs()),
                         override_from_capnp(link.getBandwidthBytesPerS())});
    }
    try {
        return Topology(std::move(chips), std::move(links), std::move(info));
    } catch (const Error& e) {
        throw Error("topology file '" + origin + "': " + e.what());
    }
}

}  // namespace

Topology topology_from_capnp_bytes(std::string_view bytes, const std::string& origin) {
    require(!bytes.empty() && bytes.size() % sizeof(capnp::word) == 0,
            "topology file '" + origin + "': " + std::to_string(bytes.size()) +
                " bytes is not a Cap'n Proto message (a whole number of 8-byte words)");
    // Copy into word-aligned storage: the reader needs aligned words.
    auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
    std::memcpy(words.begin(), bytes.data(), bytes.size());
    try {
        // A real file's objects fill its words; a larger traversal would mean
        // lists of empty elements blown up from nothing.
        capnp::ReaderOptions options;
        options.traversalLimitInWords = words.size() + 64;
        capnp::FlatArrayMessageReader message(words, options);
        return from_reader(message.getRoot<schema::TopologyFile>(), origin);
    } catch (const kj::Exception& e) {
        throw Error("topology file '" + origin + "': malformed Cap'n Proto message: " +
                    std::string(e.getDescription().cStr()));
    }
}

std::string topology_to_capnp_bytes(const Topology& topology) {
    capnp::MallocMessageBuilder message;
    auto file = message.initRoot<schema::TopologyFile>();
    const auto& info = topology.info();
    file.setVersion(capnp_format_version);
    file.setName(info.name);
    auto extents = file.initGridDims(static_cast<unsigned>(info.grid_dims.size()));
    for (unsigned i = 0; i < extents.size(); ++i) extents.set(i, info.grid_dims[i]);
    auto representatives = file.initRepresentativeChips(static_cast<unsigned>(info.representative_chips.size()));
    for (unsigned i = 0; i < representatives.size(); ++i) representatives.set(i, info.representative_chips[i]);
    auto chips = file.initChips(static_cast<unsigned>(topology.chip_count()));
    for (unsigned i = 0; i < chips.size(); ++i) {
        const auto& chip = topology.chip(i);
        chips[i].setPortCount(chip.port_count);
        chips[i].setNode(chip.node.value_or(schema::NO_GROUP));
        chips[i].setRack(chip.rack.value_or(schema::NO_GROUP));
        chips[i].setSpare(chip.spare);
    }
    auto links = file.initLinks(static_cast<unsigned>(topology.link_count()));
    for (unsigned i = 0; i < links.size(); ++i) {
        const auto& link = topology.link(i);
        links[i].setA(link.a);
        links[i].setPortA(link.port_a);
        links[i].setB(link.b);
        links[i].setPortB(link.port_b);
        links[i].setLatencyPs(link.latency_ps.value_or(0));
        links[i].setBandwidthBytesPerS(link.bandwidth_bytes_per_s.value_or(0));
    }
    const auto flat = capnp::messageToFlatArray(message);
    const auto bytes = flat.asBytes();
    return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

}  // namespace lpu::topology
