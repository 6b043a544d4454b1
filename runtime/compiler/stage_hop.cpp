#include "runtime/compiler/stage_hop.hpp"

#include <algorithm>
#include <map>

#include "base/error.hpp"
#include "collectives/schedule.hpp"

namespace lpu::compiler {

std::int64_t stage_hop_ps(const collectives::FabricTiming& fabric, const HopRoutes& routes,
                          const std::vector<std::int64_t>& bytes_of_rank) {
    invariant(routes.size() == bytes_of_rank.size(), "stage hop: a message size for every route");
    std::map<topology::ChannelId, std::int64_t> messages_on;
    for (const auto& route : routes) {
        for (const topology::ChannelId channel : route) ++messages_on[channel];
    }
    std::int64_t last = 0;
    for (std::size_t r = 0; r < routes.size(); ++r) {
        std::int64_t latency = 0, streaming = 0;
        for (const topology::ChannelId channel : routes[r]) {
            latency += fabric.latency_ps(channel);
            streaming = std::max(streaming, messages_on[channel] * fabric.serialisation_ps(channel, bytes_of_rank[r]));
        }
        last = std::max(last, latency + streaming);
    }
    return last;
}

StageHop choose_stage_hop(const collectives::FabricTiming& fabric, const HopRoutes& routes, std::int64_t elements,
                          std::int64_t all_gather_ps) {
    const auto ranks = static_cast<std::int64_t>(routes.size());
    if (ranks < 2 || elements < ranks) return StageHop::whole;
    const std::vector<std::int64_t> whole(routes.size(), elements * static_cast<std::int64_t>(sizeof(float)));
    std::vector<std::int64_t> blocks;
    for (std::int64_t r = 0; r < ranks; ++r) {
        const auto block = collectives::block_range(static_cast<std::uint64_t>(elements), static_cast<std::uint64_t>(ranks),
                                                    static_cast<std::uint64_t>(r));
        blocks.push_back(static_cast<std::int64_t>(block.count * sizeof(float)));
    }
    const std::int64_t scattered = stage_hop_ps(fabric, routes, blocks) + all_gather_ps;
    return scattered < stage_hop_ps(fabric, routes, whole) ? StageHop::scattered : StageHop::whole;
}

}  // namespace lpu::compiler
