#include "study/step_utilisation.hpp"

#include <algorithm>
#include <variant>

#include "runtime/compiler/link_reservations.hpp"

namespace lpu::study {
namespace {

bool runs_on_matrix_unit(plan::OpKind op) {
    return op == plan::OpKind::matmul || op == plan::OpKind::lm_head || op == plan::OpKind::attention;
}

// Bytes a Compute streams from SRAM at `position`: whole weight buffers, except
// that an embedding reads one row of its table; of a KV cache, the positions
// attended so far.
std::int64_t sram_bytes_read(const plan::Plan& plan, const plan::ChipProgram& chip, const plan::Compute& compute,
                             std::int64_t position) {
    std::int64_t bytes = 0;
    for (const plan::BufferId id : compute.inputs) {
        const plan::Buffer& buffer = chip.buffers[id];
        if (buffer.use == plan::BufferUse::weights) {
            const std::int64_t rows = compute.op == plan::OpKind::embed ? compute.shape[1] - compute.shape[0] : 1;
            bytes += buffer.size_bytes / std::max<std::int64_t>(rows, 1);
        } else if (buffer.use == plan::BufferUse::kv && plan.context_positions > 0) {
            bytes += buffer.size_bytes / plan.context_positions * std::min(position + 1, plan.context_positions);
        }
    }
    return bytes;
}

void add_to(UnitUtilisation& figure, double value) {
    figure.max = std::max(figure.max, value);
    figure.mean += value;
}

void finish_mean(UnitUtilisation& figure, std::size_t count) {
    if (count > 0) figure.mean /= static_cast<double>(count);
}

}  // namespace

StepUtilisation step_utilisation(const plan::Plan& plan, const plan::StepTiming& timing, std::int64_t position,
                                 const collectives::FabricTiming& fabric, const sim::ChipSpec& spec) {
    const double latency = static_cast<double>(std::max<std::int64_t>(timing.end_cycle(), 1));
    const double sram_bytes_per_cycle =
        static_cast<double>(spec.sram_bytes_per_second) / static_cast<double>(spec.clock_hz);
    const double clock_hz = static_cast<double>(spec.clock_hz);
    StepUtilisation step;
    std::vector<std::int64_t> channel_busy(fabric.topology().channel_count(), 0);
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        const plan::ChipProgram& chip = plan.chips[c];
        std::int64_t matrix_cycles = 0, vector_cycles = 0, sram_bytes = 0;
        for (std::size_t i = 0; i < chip.instructions.size(); ++i) {
            const plan::InstructionBody& body = chip.instructions[i].body;
            if (const auto* compute = std::get_if<plan::Compute>(&body)) {
                (runs_on_matrix_unit(compute->op) ? matrix_cycles : vector_cycles) += timing.durations[c][i];
                sram_bytes += sram_bytes_read(plan, chip, *compute, position);
            } else if (const auto* recv = std::get_if<plan::Recv>(&body)) {
                sram_bytes += recv->bytes;
            } else if (const auto* send = std::get_if<plan::Send>(&body)) {
                sram_bytes += send->bytes;
                for (const compiler::ChannelWindow& window :
                     compiler::channel_windows(fabric, clock_hz, send->route, send->bytes)) {
                    channel_busy[window.channel] += window.to - window.from;
                }
            }
        }
        const ChipUtilisation figures{chip.chip, static_cast<double>(matrix_cycles) / latency,
                                      static_cast<double>(vector_cycles) / latency,
                                      static_cast<double>(sram_bytes) / sram_bytes_per_cycle / latency};
        step.chips.push_back(figures);
        add_to(step.matrix_unit, figures.matrix_unit);
        add_to(step.vector_unit, figures.vector_unit);
        add_to(step.sram_bandwidth, figures.sram_bandwidth);
    }
    finish_mean(step.matrix_unit, step.chips.size());
    finish_mean(step.vector_unit, step.chips.size());
    finish_mean(step.sram_bandwidth, step.chips.size());

    const topology::Topology& topology = fabric.topology();
    for (std::size_t channel = 0; channel < channel_busy.size(); ++channel) {
        if (channel_busy[channel] == 0) continue;
        const auto id = static_cast<topology::ChannelId>(channel);
        const LinkUtilisation link{topology.channel_source(id), topology.channel_target(id), channel_busy[channel],
                                   static_cast<double>(channel_busy[channel]) / latency};
        step.links.push_back(link);
        add_to(step.link, link.utilisation);
    }
    finish_mean(step.link, step.links.size());
    return step;
}

}  // namespace lpu::study
