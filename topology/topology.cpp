#include "topology/topology.hpp"

#include <algorithm>

#include "topology/validation.hpp"

namespace lpu::topology {

Topology::Topology(std::vector<Chip> chips, std::vector<Link> links, TopologyInfo info)
    : chips_(std::move(chips)), links_(std::move(links)), info_(std::move(info)) {
    validate_wiring(chips_, links_, info_);
    // Counting sort into a flat array: one allocation, even for 10,440 chips.
    adjacency_begin_.assign(chips_.size() + 1, 0);
    for (const auto& link : links_) {
        ++adjacency_begin_[link.a + 1];
        ++adjacency_begin_[link.b + 1];
    }
    for (std::size_t id = 0; id < chips_.size(); ++id) adjacency_begin_[id + 1] += adjacency_begin_[id];
    adjacency_.resize(adjacency_begin_.back());
    std::vector<std::size_t> fill(adjacency_begin_.begin(), adjacency_begin_.end() - 1);
    for (LinkId id = 0; id < links_.size(); ++id) {
        const auto& link = links_[id];
        adjacency_[fill[link.a]++] = {link.port_a, id, link.b, link.port_b, channel_id(id, Direction::a_to_b)};
        adjacency_[fill[link.b]++] = {link.port_b, id, link.a, link.port_a, channel_id(id, Direction::b_to_a)};
    }
    for (std::size_t id = 0; id < chips_.size(); ++id) {
        std::sort(adjacency_.begin() + static_cast<std::ptrdiff_t>(adjacency_begin_[id]),
                  adjacency_.begin() + static_cast<std::ptrdiff_t>(adjacency_begin_[id + 1]),
                  [](const Adjacency& x, const Adjacency& y) { return x.port < y.port; });
    }
}

std::span<const Adjacency> Topology::neighbours(ChipId id) const {
    const std::size_t begin = adjacency_begin_.at(id), end = adjacency_begin_.at(id + 1);
    return std::span<const Adjacency>(adjacency_).subspan(begin, end - begin);
}

ChipId Topology::channel_source(ChannelId channel) const {
    const auto& l = link(channel_link(channel));
    return channel_direction(channel) == Direction::a_to_b ? l.a : l.b;
}

ChipId Topology::channel_target(ChannelId channel) const {
    const auto& l = link(channel_link(channel));
    return channel_direction(channel) == Direction::a_to_b ? l.b : l.a;
}

std::size_t Topology::ports_total() const {
    std::size_t total = 0;
    for (const auto& chip : chips_) total += chip.port_count;
    return total;
}

}  // namespace lpu::topology
