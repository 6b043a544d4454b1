#include "sim/fabric/plan_fabric.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "base/error.hpp"

namespace lpu::sim {

FabricFigures merge(const FabricFigures& a, const FabricFigures& b) {
    FabricFigures out;
    out.steps = std::max(a.steps, b.steps);
    out.transfers = a.transfers + b.transfers;
    out.max_skew_cycles = std::max(a.max_skew_cycles, b.max_skew_cycles);
    out.deskew_stall_cycles = a.deskew_stall_cycles + b.deskew_stall_cycles;
    out.deskew_points = a.deskew_points + b.deskew_points;
    out.late_transfers = a.late_transfers + b.late_transfers;
    out.overwritten_transfers = a.overwritten_transfers + b.overwritten_transfers;
    out.worst_margin_cycles = a.worst_margin_cycles;
    if (b.worst_margin_cycles)
        out.worst_margin_cycles = std::min(a.worst_margin_cycles.value_or(*b.worst_margin_cycles), *b.worst_margin_cycles);
    return out;
}

std::vector<std::int64_t> send_times(std::span<const ScheduledTransfer> transfers, ChipClocks& clocks,
                                     const std::function<bool(topology::ChipId)>& sends) {
    std::vector<std::int64_t> send_ps(transfers.size(), 0);
    for (std::size_t i = 0; i < transfers.size(); ++i) {
        const ScheduledTransfer& transfer = transfers[i];
        if (!sends || sends(transfer.source)) send_ps[i] = clocks.true_ps_at(transfer.source, transfer.send_cycle);
    }
    return send_ps;
}

FabricFigures receiver_figures(std::span<const ScheduledTransfer> transfers, std::span<const std::int64_t> send_ps,
                               ChipClocks& clocks, const LinkModel& links,
                               const std::function<bool(topology::ChipId)>& receives, LockstepReport* report) {
    LockstepReport found = check_lockstep_at_receivers(transfers, send_ps, clocks, links, receives);
    FabricFigures figures;
    figures.transfers = found.transfers;
    for (const LockstepViolation& violation : found.violations)
        ++(violation.kind == ViolationKind::late ? figures.late_transfers : figures.overwritten_transfers);
    // Jitter indices count every listed transfer per stream, as the checker does.
    std::map<std::uint64_t, std::uint64_t> sent_on_stream;
    for (std::size_t i = 0; i < transfers.size(); ++i) {
        const ScheduledTransfer& transfer = transfers[i];
        const std::uint64_t index = sent_on_stream[transfer.jitter_stream]++;
        if (receives && !receives(transfer.destination)) continue;
        const std::int64_t skew = clocks.count_at(transfer.destination, send_ps[i]) - transfer.send_cycle;
        figures.max_skew_cycles = std::max(figures.max_skew_cycles, std::abs(skew));
        const std::int64_t arrival_ps = send_ps[i] + links.transfer_ps(transfer.jitter_stream, index, transfer.bytes);
        const std::int64_t margin = transfer.read_cycle - clocks.count_at(transfer.destination, arrival_ps);
        figures.worst_margin_cycles = std::min(figures.worst_margin_cycles.value_or(margin), margin);
    }
    if (report) *report = std::move(found);
    return figures;
}

void add_deskew_stalls(FabricFigures& figures, std::span<const DeskewPoint> deskews, topology::ChipId chip,
                       const HardwareAlignedCounter& hac, std::int64_t start_cycle) {
    // The software counter resumes equal to the HAC after each point and counts
    // local cycles; a point at SAC value c ends when the HAC reaches c + pad.
    std::int64_t resume_cycle = hac.first_cycle_reaching(start_cycle);
    std::int64_t resume_value = start_cycle;
    for (const DeskewPoint& point : deskews) {
        if (point.chip != chip) continue;
        const std::int64_t reached = resume_cycle + (point.cycle - resume_value);
        const std::int64_t resume = std::max(reached, hac.first_cycle_reaching(point.cycle + point.pad_cycles));
        figures.deskew_stall_cycles += resume - reached;
        ++figures.deskew_points;
        resume_cycle = resume;
        resume_value = point.cycle + point.pad_cycles;
    }
}

std::int64_t checked_steps(const plan::Plan& plan, const FabricSetup& setup, const PlanLockstepConfig& config) {
    require_config(config);
    return steps_before_next_round(plan, config.first_position, config.steps, setup);
}

FabricFigures plan_fabric_figures(const plan::Plan& plan, const topology::Topology& topology, const ChipSpec& spec,
                                  const PlanLockstepConfig& config) {
    SettledFabric settled(topology, spec, config);
    PlanLockstepConfig checked = config;
    checked.steps = checked_steps(plan, settled.setup, config);
    const PlanTransfers listed = list_plan_transfers(plan, topology, spec, checked, settled.setup);
    const std::vector<std::int64_t> send_ps = send_times(listed.transfers, settled.fabric);
    FabricFigures figures = receiver_figures(listed.transfers, send_ps, settled.fabric, settled.setup.links, {});
    figures.steps = checked.steps;
    for (const plan::ChipProgram& program : plan.chips)
        add_deskew_stalls(figures, listed.deskews, program.chip, settled.fabric.hac(program.chip),
                          settled.setup.start_cycle);
    return figures;
}

}  // namespace lpu::sim
