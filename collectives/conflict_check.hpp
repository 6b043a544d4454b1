#pragma once
// The lockstep rule of a statically scheduled fabric: no directed channel
// carries two transfers in overlapping time (there is no arbitration to sort
// it out at run time). Every schedule the library emits passes this check.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "collectives/schedule.hpp"
#include "collectives/schedule_timing.hpp"

namespace lpu::collectives {

struct TransferRef {
    std::size_t step = 0;
    std::size_t transfer = 0;
};

struct ChannelConflict {
    topology::ChannelId channel = 0;
    TransferRef first;   // the one that starts on the channel first
    TransferRef second;
    std::int64_t overlap_begin_ps = 0;
    std::int64_t overlap_end_ps = 0;
    std::string describe(const Schedule& schedule, const topology::Topology& topology) const;
};

// The first conflict by (channel, time), or nothing.
std::optional<ChannelConflict> find_channel_conflict(const Schedule& schedule, const ScheduleTiming& timing,
                                                     const FabricTiming& fabric);

// Throws lpu::Error describing the conflict (the channel with its link and
// chips, both transfers, the overlapping interval).
void check_conflict_free(const Schedule& schedule, const ScheduleTiming& timing, const FabricTiming& fabric);

// Times the schedule and checks it; returns the timing.
ScheduleTiming time_and_check(const Schedule& schedule, const FabricTiming& fabric);

}  // namespace lpu::collectives
