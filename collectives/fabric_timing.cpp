#include "collectives/fabric_timing.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace lpu::collectives {
namespace {

sim::LinkTiming mean_timing(const sim::ChipSpec& spec) {
    sim::LinkTiming timing = sim::link_timing_from_spec(spec);
    timing.jitter_stddev_ps = 0;
    return timing;
}

}  // namespace

FabricTiming::FabricTiming(const topology::Topology& topology, const sim::ChipSpec& spec)
    : topology_(&topology), default_model_(mean_timing(spec), 0) {
    for (topology::LinkId id = 0; id < topology.link_count(); ++id) {
        const auto& link = topology.link(id);
        if (!link.latency_ps && !link.bandwidth_bytes_per_s) continue;
        sim::LinkTiming timing = default_model_.timing();
        timing.latency_ps = link.latency_ps.value_or(timing.latency_ps);
        timing.bytes_per_second = link.bandwidth_bytes_per_s.value_or(timing.bytes_per_second);
        overridden_.emplace(id, sim::LinkModel(timing, 0));
    }
}

const sim::LinkModel& FabricTiming::model(topology::ChannelId channel) const {
    invariant(channel < topology_->channel_count(), "channel " + std::to_string(channel) + " is not in the topology");
    const auto found = overridden_.find(topology::channel_link(channel));
    return found == overridden_.end() ? default_model_ : found->second;
}

std::int64_t FabricTiming::latency_ps(topology::ChannelId channel) const { return model(channel).timing().latency_ps; }

std::int64_t FabricTiming::serialisation_ps(topology::ChannelId channel, std::int64_t bytes) const {
    return model(channel).serialisation_ps(bytes);
}

std::int64_t FabricTiming::route_wire_ps(std::span<const topology::ChannelId> route, std::int64_t bytes) const {
    std::int64_t slowest_ps = 0;
    for (auto channel : route) slowest_ps = std::max(slowest_ps, serialisation_ps(channel, bytes));
    return slowest_ps;
}

std::int64_t FabricTiming::transfer_ps(std::span<const topology::ChannelId> route, std::int64_t bytes) const {
    std::int64_t total_ps = route_wire_ps(route, bytes);
    for (auto channel : route) total_ps += latency_ps(channel);
    return total_ps;
}

}  // namespace lpu::collectives
