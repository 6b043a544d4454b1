#pragma once
// The core topology types: chips with a port budget, full-duplex links between
// two chip ports, and the directed channels that collectives reserve.
//
// A Topology object is always valid: its constructor runs every rule of
// topology/validation.hpp (port budgets, ports used once, no dangling or self
// links, connected graph) and throws lpu::Error naming the first problem.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "topology/distance_cache.hpp"

namespace lpu::topology {

using ChipId = std::uint32_t;
using PortIndex = std::uint16_t;
using LinkId = std::uint32_t;
// A direction of a link: channel 2*link is a -> b, channel 2*link+1 is b -> a.
// Each channel is scheduled on its own (full duplex), so this is the id that
// transfers reserve.
using ChannelId = std::uint32_t;

// The published C2C budget: 16 links per chip (hardware.md, fabric section).
inline constexpr PortIndex default_ports_per_chip = 16;

struct Chip {
    PortIndex port_count = default_ports_per_chip;
    // Hierarchy, when the topology has one (Dragonfly): the global index of the
    // chip's node (8 fully connected chips) and of its rack. Empty otherwise.
    std::optional<std::uint32_t> node;
    std::optional<std::uint32_t> rack;
    // A chip of a spare node: wired like the others, but not meant for placement.
    bool spare = false;

    bool operator==(const Chip&) const = default;
};

struct Link {
    ChipId a = 0;
    PortIndex port_a = 0;
    ChipId b = 0;
    PortIndex port_b = 0;
    // Per-link overrides of the fabric's defaults (sim/ owns the defaults).
    std::optional<std::int64_t> latency_ps;
    std::optional<std::int64_t> bandwidth_bytes_per_s;

    bool operator==(const Link&) const = default;
};

enum class Direction : std::uint8_t { a_to_b = 0, b_to_a = 1 };

constexpr ChannelId channel_id(LinkId link, Direction direction) {
    return link * 2 + static_cast<ChannelId>(direction);
}
constexpr LinkId channel_link(ChannelId channel) { return channel / 2; }
constexpr Direction channel_direction(ChannelId channel) { return static_cast<Direction>(channel % 2); }

// One port of a chip in use: the link it carries and the chip at the other end.
struct Adjacency {
    PortIndex port = 0;
    LinkId link = 0;
    ChipId peer = 0;
    PortIndex peer_port = 0;
    ChannelId outgoing = 0;  // the channel from this chip to the peer
};

// Facts about the shape that a builder knows and that the metrics exploit.
struct TopologyInfo {
    std::string name;  // e.g. "torus:4x4x4", or the file it came from
    // torus/mesh: the extent of each dimension; chip ids are row-major (last
    // dimension fastest). Empty for other shapes.
    std::vector<std::uint32_t> grid_dims;
    // A symmetry claim: every chip is the image of exactly one of these chips
    // under an automorphism of the wiring, and all those orbits have the same
    // size. Lets metrics be exact from a few BFS sources (one chip for a torus,
    // one rack for a Dragonfly). Empty when unknown.
    std::vector<ChipId> representative_chips;

    bool operator==(const TopologyInfo&) const = default;
};

class Topology {
public:
    // Validates (throws lpu::Error on the first broken rule) and indexes ports.
    Topology(std::vector<Chip> chips, std::vector<Link> links, TopologyInfo info = {});

    std::size_t chip_count() const { return chips_.size(); }
    std::size_t link_count() const { return links_.size(); }
    std::size_t channel_count() const { return links_.size() * 2; }

    const Chip& chip(ChipId id) const { return chips_.at(id); }
    const Link& link(LinkId id) const { return links_.at(id); }
    std::span<const Chip> chips() const { return chips_; }
    std::span<const Link> links() const { return links_; }
    const TopologyInfo& info() const { return info_; }

    // The used ports of a chip in ascending port order (the deterministic order
    // every routing function walks them in).
    std::span<const Adjacency> neighbours(ChipId id) const;

    ChipId channel_source(ChannelId channel) const;
    ChipId channel_target(ChannelId channel) const;

    std::size_t ports_used() const { return links_.size() * 2; }
    std::size_t ports_total() const;

    bool has_racks() const { return !chips_.empty() && chips_.front().rack.has_value(); }
    bool has_nodes() const { return !chips_.empty() && chips_.front().node.has_value(); }

    bool operator==(const Topology& other) const {
        return chips_ == other.chips_ && links_ == other.links_ && info_ == other.info_;
    }

    // Hop-distance maps computed by routing (topology/routing.hpp), kept for reuse.
    DistanceCache& distance_cache() const { return distance_cache_; }

private:
    std::vector<Chip> chips_;
    std::vector<Link> links_;
    TopologyInfo info_;
    // neighbours of chip c: adjacency_[adjacency_begin_[c] .. adjacency_begin_[c+1])
    std::vector<std::size_t> adjacency_begin_;
    std::vector<Adjacency> adjacency_;
    mutable DistanceCache distance_cache_;
};

}  // namespace lpu::topology
