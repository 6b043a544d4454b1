#pragma once
// When each transfer of a schedule runs on the fabric. Model: steps are
// lockstep barriers — every transfer of step k starts when the last transfer
// of step k-1 has arrived (step 0 starts at 0) — because the next step may
// read what the previous one wrote. A transfer occupies hop h's channel from
// start + (latencies of hops 0..h-1) for its wire time (cut-through).
#include <cstdint>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "collectives/schedule.hpp"

namespace lpu::collectives {

struct TransferTiming {
    std::int64_t start_ps = 0;
    std::int64_t wire_ps = 0;     // how long each hop's channel is busy
    std::int64_t arrival_ps = 0;  // last vector at dst
};

struct ScheduleTiming {
    std::vector<std::int64_t> step_start_ps;
    std::vector<std::vector<TransferTiming>> transfers;  // [step][transfer]
    std::int64_t total_ps = 0;
};

ScheduleTiming time_schedule(const Schedule& schedule, const FabricTiming& timing);

}  // namespace lpu::collectives
