#include "runtime/compiler/step_period.hpp"

#include <algorithm>
#include <map>

#include "runtime/compiler/lowering.hpp"

namespace lpu::compiler {

std::int64_t step_period_cycles(const plan::Plan& plan, const plan::StepTiming& timing) {
    std::int64_t period = 0;
    std::map<std::int64_t, std::int64_t> sequence_start;  // first embed cycle per sequence
    std::map<std::string, std::int64_t> logits_end;        // by logits buffer name
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        const auto& program = plan.chips[c];
        std::int64_t busy = 0;
        for (std::size_t i = 0; i < program.instructions.size(); ++i) {
            const auto& body = program.instructions[i].body;
            const std::int64_t cycle = timing.cycles[c][i], end = cycle + timing.durations[c][i];
            busy += timing.durations[c][i];
            plan::BufferId written = 0;
            if (const auto* compute = std::get_if<plan::Compute>(&body)) {
                if (compute->op == plan::OpKind::embed && compute->shape.size() == 3) {
                    auto [where, inserted] = sequence_start.emplace(compute->shape[2], cycle);
                    if (!inserted) where->second = std::min(where->second, cycle);
                }
                if (compute->outputs.empty()) continue;
                written = compute->outputs.front();
            } else if (const auto* recv = std::get_if<plan::Recv>(&body)) {
                written = recv->buffer;
            } else {
                continue;
            }
            const std::string& name = program.buffers[written].name;
            if (name.rfind("logits.", 0) == 0) logits_end[name] = std::max(logits_end[name], end);
        }
        period = std::max(period, busy);
    }
    for (const auto& [sequence, start] : sequence_start) {
        const auto end = logits_end.find(logits_buffer_name(static_cast<int>(sequence)));
        if (end != logits_end.end()) period = std::max(period, end->second - start);
    }
    return period;
}

}  // namespace lpu::compiler
