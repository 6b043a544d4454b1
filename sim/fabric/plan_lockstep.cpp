#include "sim/fabric/plan_lockstep.hpp"

#include <string>

#include "base/error.hpp"
#include "sim/fabric/plan_fabric.hpp"

namespace lpu::sim {

PlanLockstepResult check_plan_lockstep(const plan::Plan& plan, const topology::Topology& topology,
                                       const ChipSpec& spec, const PlanLockstepConfig& config) {
    require_config(config);
    SettledFabric settled(topology, spec, config);
    PlanTransfers listed = list_plan_transfers(plan, topology, spec, config, settled.setup);
    PlanLockstepResult result;
    result.start_cycle = settled.setup.start_cycle;
    result.correction_period_cycles = settled.setup.alignment.correction_period_cycles;
    result.end_cycle = listed.end_cycle;
    result.transfers = std::move(listed.transfers);
    result.slack_cycles = std::move(listed.slack_cycles);
    const std::int64_t next_round = settled.setup.next_round_cycle;
    require(result.end_cycle <= next_round,
            std::to_string(config.steps) + " steps end at cycle " + std::to_string(result.end_cycle) +
                ", after the next alignment round at cycle " + std::to_string(next_round) +
                ": check fewer steps at a time");
    const std::vector<std::int64_t> send_ps = send_times(result.transfers, settled.fabric);
    result.worst_margin_cycles =
        receiver_figures(result.transfers, send_ps, settled.fabric, settled.setup.links, {}, &result.report)
            .worst_margin_cycles.value_or(0);
    return result;
}

LockstepReport recheck_plan_lockstep(const std::vector<ScheduledTransfer>& transfers,
                                     const topology::Topology& topology, const ChipSpec& spec,
                                     const PlanLockstepConfig& config) {
    require_config(config);
    SettledFabric settled(topology, spec, config);
    return check_lockstep(transfers, settled.fabric, settled.setup.links);
}

}  // namespace lpu::sim
