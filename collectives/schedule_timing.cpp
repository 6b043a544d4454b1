#include "collectives/schedule_timing.hpp"

#include <algorithm>

namespace lpu::collectives {

ScheduleTiming time_schedule(const Schedule& schedule, const FabricTiming& timing) {
    ScheduleTiming result;
    std::int64_t now_ps = 0;
    for (const auto& step : schedule.steps) {
        result.step_start_ps.push_back(now_ps);
        auto& transfers = result.transfers.emplace_back();
        std::int64_t step_end_ps = now_ps;
        for (const auto& transfer : step.transfers) {
            const auto bytes = static_cast<std::int64_t>(transfer.count * schedule.element_bytes);
            TransferTiming t;
            t.start_ps = now_ps;
            t.wire_ps = timing.route_wire_ps(transfer.route, bytes);
            t.arrival_ps = now_ps + timing.transfer_ps(transfer.route, bytes);
            step_end_ps = std::max(step_end_ps, t.arrival_ps);
            transfers.push_back(t);
        }
        now_ps = step_end_ps;
    }
    result.total_ps = now_ps;
    return result;
}

}  // namespace lpu::collectives
