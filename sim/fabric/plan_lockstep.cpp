#include "sim/fabric/plan_lockstep.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "base/error.hpp"
#include "plan/transfer_matching.hpp"
#include "sim/fabric/plan_fabric.hpp"
#include "sim/fabric/receive_ring.hpp"

namespace lpu::sim {
namespace {

PlanLockstepResult check_on(const plan::Plan& plan, const topology::Topology& topology, const ChipSpec& spec,
                            const PlanLockstepConfig& config, SettledFabric& settled) {
    PlanTransfers listed = list_plan_transfers(plan, topology, spec, config, settled.setup);
    PlanLockstepResult result;
    result.start_cycle = listed.start_cycle;
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

std::string positions_text(const LockstepWindow& window) {
    const std::int64_t last = window.first_position + window.steps - 1;
    return "positions " + std::to_string(window.first_position) + "-" + std::to_string(last) +
           (window.before_next_round ? " before the next correction" : " after the alignment settles");
}

}  // namespace

PlanLockstepResult check_plan_lockstep(const plan::Plan& plan, const topology::Topology& topology,
                                       const ChipSpec& spec, const PlanLockstepConfig& config) {
    require_config(config);
    SettledFabric settled(topology, spec, config);
    return check_on(plan, topology, spec, config, settled);
}

LockstepReport recheck_plan_lockstep(const std::vector<ScheduledTransfer>& transfers,
                                     const topology::Topology& topology, const ChipSpec& spec,
                                     const PlanLockstepConfig& config) {
    require_config(config);
    SettledFabric settled(topology, spec, config);
    return check_lockstep(transfers, settled.fabric, settled.setup.links);
}

std::int64_t pattern_steps(const plan::Plan& plan, std::int64_t vector_bytes) {
    // Per receive ring (chip, buffer): the slots its messages take per step.
    std::map<std::pair<std::size_t, plan::BufferId>, std::int64_t> step_slots;
    for (const plan::MatchedTransfer& pair : plan::match_transfers(plan)) {
        const auto& recv = std::get<plan::Recv>(plan.chips[pair.recv.chip].instructions[pair.recv.instruction].body);
        step_slots[{pair.recv.chip, recv.buffer}] += message_slots(recv.bytes, vector_bytes);
    }
    std::int64_t steps = 2;
    for (const auto& [ring, slots] : step_slots) {
        const std::int64_t depth = ring_depth_slots(plan.chips[ring.first].buffers.at(ring.second).size_bytes, vector_bytes);
        steps = std::max(steps, 1 + (depth + slots - 1) / slots);
    }
    return steps;
}

PlanLockstepVerdict verify_plan_lockstep(const plan::Plan& plan, const topology::Topology& topology,
                                         const ChipSpec& spec) {
    PlanLockstepConfig config;  // the compiler's drift budget, seed 1
    config.steps = pattern_steps(plan, spec.vector_bytes);
    require_config(config);
    SettledFabric settled(topology, spec, config);
    const std::int64_t last_first_position =
        std::max<std::int64_t>(plan.context_positions - config.steps, 0);
    PlanLockstepVerdict verdict;
    bool any_margin = false;
    for (const bool before_next_round : {false, true}) {
        config.before_next_round = before_next_round;
        config.first_position = before_next_round ? last_first_position : 0;
        const PlanLockstepResult result = check_on(plan, topology, spec, config, settled);
        verdict.windows.push_back(
            {config.first_position, config.steps, before_next_round, result.start_cycle, result.end_cycle});
        verdict.transfers += result.report.transfers;
        for (const LockstepViolation& violation : result.report.violations) {
            ++(violation.kind == ViolationKind::late ? verdict.late : verdict.overwritten);
            if (verdict.first_violation.empty())
                verdict.first_violation = positions_text(verdict.windows.back()) + ": " + describe(violation);
        }
        if (result.report.transfers > 0) {
            verdict.worst_margin_cycles = any_margin ? std::min(verdict.worst_margin_cycles, result.worst_margin_cycles)
                                                     : result.worst_margin_cycles;
            any_margin = true;
        }
    }
    return verdict;
}

void require_plan_lockstep(const PlanLockstepVerdict& verdict) {
    if (verdict.ok()) return;
    throw Error("the plan is not in lockstep: " + std::to_string(verdict.violations()) + " of " +
                std::to_string(verdict.transfers) + " transfers (" + std::to_string(verdict.late) + " late, " +
                std::to_string(verdict.overwritten) + " overwritten); first, at " + verdict.first_violation +
                " (lpu plan check shows them all)");
}

std::string lockstep_summary(const PlanLockstepVerdict& verdict) {
    std::string text = verdict.ok() ? "in lockstep: " : "NOT in lockstep: ";
    if (!verdict.windows.empty()) {
        text += std::to_string(verdict.windows.size()) + " x " + std::to_string(verdict.windows.front().steps) +
                " steps (";
        for (std::size_t i = 0; i < verdict.windows.size(); ++i)
            text += (i > 0 ? ", " : "") + positions_text(verdict.windows[i]);
        text += "), ";
    }
    text += std::to_string(verdict.transfers) + " transfers, ";
    if (!verdict.ok()) {
        return text + std::to_string(verdict.violations()) + " violations (" + std::to_string(verdict.late) +
               " late, " + std::to_string(verdict.overwritten) + " overwritten); first, at " + verdict.first_violation;
    }
    return text + "worst margin " + std::to_string(verdict.worst_margin_cycles) + " cycles";
}

}  // namespace lpu::sim
