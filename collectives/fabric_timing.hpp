#pragma once
// Link timing for collective schedules, through sim/'s link model: a fixed
// latency per hop and serialisation in whole 320-byte vectors at the link's
// payload rate. Each link uses the spec's defaults unless the topology gives
// it its own latency_ps / bandwidth_bytes_per_s. Schedules are planned at the
// mean latency: jitter is the fabric simulator's business, not the planner's.
#include <cstdint>
#include <map>
#include <span>

#include "sim/chip/chip_spec.hpp"
#include "sim/chip/link_model.hpp"
#include "topology/topology.hpp"

namespace lpu::collectives {

class FabricTiming {
public:
    // Keeps a reference to `topology`, which must outlive this object.
    FabricTiming(const topology::Topology& topology, const sim::ChipSpec& spec);

    const topology::Topology& topology() const { return *topology_; }
    std::int64_t latency_ps(topology::ChannelId channel) const;
    std::int64_t serialisation_ps(topology::ChannelId channel, std::int64_t bytes) const;
    // Time on the wire of `bytes` sent over `route` cut-through: the slowest
    // hop's serialisation (every hop streams at the pace of the slowest).
    std::int64_t route_wire_ps(std::span<const topology::ChannelId> route, std::int64_t bytes) const;
    // From the start of sending to the arrival of the last vector: the sum of
    // the hop latencies plus route_wire_ps (h x alpha + serialisation on
    // uniform links). 0 for an empty route (an on-chip copy is not modelled).
    std::int64_t transfer_ps(std::span<const topology::ChannelId> route, std::int64_t bytes) const;

private:
    const sim::LinkModel& model(topology::ChannelId channel) const;

    const topology::Topology* topology_;
    sim::LinkModel default_model_;
    std::map<topology::LinkId, sim::LinkModel> overridden_;  // only links with their own figures
};

}  // namespace lpu::collectives
