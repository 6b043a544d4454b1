#include "runtime/compiler/link_reservations.hpp"

#include <cmath>

namespace lpu::compiler {

std::vector<ChannelWindow> channel_windows(const collectives::FabricTiming& fabric, double clock_hz,
                                           const std::vector<topology::ChannelId>& route, std::int64_t bytes) {
    // Whole cycles that cover the picosecond intervals: start rounded down, end up.
    const auto cycles_down = [&](std::int64_t ps) {
        return static_cast<std::int64_t>(std::floor(static_cast<double>(ps) * clock_hz / 1e12));
    };
    const auto cycles_up = [&](std::int64_t ps) {
        return static_cast<std::int64_t>(std::ceil(static_cast<double>(ps) * clock_hz / 1e12));
    };
    const std::int64_t wire_ps = fabric.route_wire_ps(route, bytes);
    std::vector<ChannelWindow> windows;
    windows.reserve(route.size());
    std::int64_t head_ps = 0;  // when the first vector reaches this hop
    for (topology::ChannelId channel : route) {
        windows.push_back({channel, cycles_down(head_ps), cycles_up(head_ps + wire_ps)});
        head_ps += fabric.latency_ps(channel);
    }
    return windows;
}

std::int64_t LinkReservations::earliest_free(const std::vector<ChannelWindow>& windows, std::int64_t from) const {
    std::int64_t start = from;
    for (bool moved = true; moved;) {
        moved = false;
        for (const ChannelWindow& window : windows) {
            const auto found = intervals_.find(window.channel);
            if (found == intervals_.end()) continue;
            const auto& intervals = found->second;
            // The last interval starting before our end is the only one that can
            // overlap: intervals of one channel are disjoint, so it ends last.
            auto last = intervals.lower_bound(start + window.to);
            if (last == intervals.begin()) continue;
            --last;
            if (last->second > start + window.from) {
                start = last->second - window.from;
                moved = true;
            }
        }
    }
    return start;
}

void LinkReservations::reserve(const std::vector<ChannelWindow>& windows, std::int64_t send_cycle) {
    for (const ChannelWindow& window : windows) {
        intervals_[window.channel].emplace(send_cycle + window.from, send_cycle + window.to);
    }
}

}  // namespace lpu::compiler
