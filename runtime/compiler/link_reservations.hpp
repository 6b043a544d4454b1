#pragma once
// Which cycles each channel of the fabric carries a transfer. The fabric has no
// arbiters and no back-pressure, so the compiler must never put two transfers
// on one channel at once: every transfer reserves, per channel of its route,
// the window in which it streams through it (plan_scheduler.hpp), and a send
// waits until all its windows are free.
//
// One book can be shared by several schedulers: data-parallel replicas are
// lowered one after the other, and their transfers may cross the same links.
#include <cstdint>
#include <map>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "topology/topology.hpp"

namespace lpu::compiler {

// When a channel is busy, in cycles relative to the send.
struct ChannelWindow {
    topology::ChannelId channel;
    std::int64_t from;
    std::int64_t to;  // exclusive
};

// When each channel of `route` is busy with `bytes` sent cut-through at a chip
// clock of `clock_hz`: from the arrival of the first vector at that hop for
// the route's serialisation time, in whole cycles that cover it.
std::vector<ChannelWindow> channel_windows(const collectives::FabricTiming& fabric, double clock_hz,
                                           const std::vector<topology::ChannelId>& route, std::int64_t bytes);

class LinkReservations {
public:
    // The first cycle >= `from` at which a send could reserve all of `windows`.
    std::int64_t earliest_free(const std::vector<ChannelWindow>& windows, std::int64_t from) const;
    // Reserves `windows` for a send at `send_cycle` (which must be free).
    void reserve(const std::vector<ChannelWindow>& windows, std::int64_t send_cycle);

private:
    // Per channel: reserved intervals [start, end), keyed by start; they never overlap.
    std::map<topology::ChannelId, std::map<std::int64_t, std::int64_t>> intervals_;
};

}  // namespace lpu::compiler
