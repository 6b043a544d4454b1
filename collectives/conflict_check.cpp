#include "collectives/conflict_check.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

#include "base/error.hpp"

namespace lpu::collectives {
namespace {

struct Occupancy {
    topology::ChannelId channel = 0;
    std::int64_t begin_ps = 0;
    std::int64_t end_ps = 0;
    TransferRef transfer;
};

std::string describe_transfer(const Schedule& schedule, const TransferRef& ref) {
    const auto& t = schedule.steps.at(ref.step).transfers.at(ref.transfer);
    return "step " + std::to_string(ref.step) + " transfer " + std::to_string(ref.transfer) + " (chip " +
           std::to_string(t.src) + " -> chip " + std::to_string(t.dst) + ", " + std::to_string(t.count) + " elements)";
}

}  // namespace

std::string ChannelConflict::describe(const Schedule& schedule, const topology::Topology& topology) const {
    return "channel " + std::to_string(channel) + " (link " + std::to_string(topology::channel_link(channel)) +
           ", chip " + std::to_string(topology.channel_source(channel)) + " -> chip " +
           std::to_string(topology.channel_target(channel)) + ") carries " + describe_transfer(schedule, first) +
           " and " + describe_transfer(schedule, second) + " at the same time (" + std::to_string(overlap_begin_ps) +
           " ps to " + std::to_string(overlap_end_ps) + " ps)";
}

std::optional<ChannelConflict> find_channel_conflict(const Schedule& schedule, const ScheduleTiming& timing,
                                                     const FabricTiming& fabric) {
    std::vector<Occupancy> occupancies;
    for (std::size_t s = 0; s < schedule.steps.size(); ++s) {
        const auto& transfers = schedule.steps[s].transfers;
        for (std::size_t i = 0; i < transfers.size(); ++i) {
            const auto& when = timing.transfers.at(s).at(i);
            std::int64_t hop_start_ps = when.start_ps;
            for (auto channel : transfers[i].route) {
                occupancies.push_back({channel, hop_start_ps, hop_start_ps + when.wire_ps, {s, i}});
                hop_start_ps += fabric.latency_ps(channel);  // cut-through: the head moves on after one latency
            }
        }
    }
    std::sort(occupancies.begin(), occupancies.end(), [](const Occupancy& a, const Occupancy& b) {
        return std::tie(a.channel, a.begin_ps, a.transfer.step, a.transfer.transfer) <
               std::tie(b.channel, b.begin_ps, b.transfer.step, b.transfer.transfer);
    });
    // Sweep each channel keeping the occupancy that reaches furthest.
    const Occupancy* reach = nullptr;
    for (const auto& occupancy : occupancies) {
        if (reach != nullptr && reach->channel == occupancy.channel && reach->end_ps > occupancy.begin_ps &&
            occupancy.end_ps > occupancy.begin_ps) {
            return ChannelConflict{occupancy.channel, reach->transfer, occupancy.transfer, occupancy.begin_ps,
                                   std::min(reach->end_ps, occupancy.end_ps)};
        }
        if (reach == nullptr || reach->channel != occupancy.channel || occupancy.end_ps > reach->end_ps) {
            reach = &occupancy;
        }
    }
    return std::nullopt;
}

void check_conflict_free(const Schedule& schedule, const ScheduleTiming& timing, const FabricTiming& fabric) {
    if (auto conflict = find_channel_conflict(schedule, timing, fabric)) {
        throw Error("schedule '" + schedule.algorithm + "' conflicts: " + conflict->describe(schedule, fabric.topology()));
    }
}

ScheduleTiming time_and_check(const Schedule& schedule, const FabricTiming& fabric) {
    auto timing = time_schedule(schedule, fabric);
    check_conflict_free(schedule, timing, fabric);
    return timing;
}

}  // namespace lpu::collectives
