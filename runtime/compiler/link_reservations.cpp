#include "runtime/compiler/link_reservations.hpp"

namespace lpu::compiler {

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
