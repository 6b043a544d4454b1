#include "study/step_study.hpp"

#include <algorithm>

#include "plan/plan_summary.hpp"
#include "runtime/compiler/step_period.hpp"

namespace lpu::study {
namespace {

TimeBreakdown breakdown(const plan::CriticalPath& path) {
    TimeBreakdown parts;
    for (const plan::PathSegment& segment : path.segments) {
        const std::int64_t cycles = segment.to_cycle - segment.from_cycle;
        // The path names each segment (plan/critical_path.hpp): an op, a
        // transfer, a deskew or idle time.
        if (segment.what == "idle") {
            parts.idle += cycles;
        } else if (segment.what == "deskew" || segment.what == "runtime deskew") {
            parts.deskew += cycles;
        } else if (segment.what.starts_with("transfer")) {
            parts.transfer += cycles;
        } else {
            parts.compute_by_op[segment.what] += cycles;
            parts.compute += cycles;
        }
    }
    return parts;
}

}  // namespace

StepStudy study_step(const plan::Plan& plan, const plan::Retimer& retimer, std::int64_t position,
                     const collectives::FabricTiming& fabric, const sim::ChipSpec& spec) {
    const plan::StepTiming timing = retimer.timing(position);
    StepStudy step;
    step.position = position;
    step.latency_cycles = timing.end_cycle();
    step.period_cycles = compiler::step_period_cycles(plan, timing);
    step.critical_path = breakdown(plan::critical_path(retimer.retime(position)));
    step.utilisation = step_utilisation(plan, timing, position, fabric, spec);
    return step;
}

std::int64_t fullest_chip_sram_bytes(const plan::Plan& plan) {
    std::int64_t fullest = 0;
    for (const plan::ChipSummary& chip : plan::summarise(plan).chips) fullest = std::max(fullest, chip.used_bytes);
    return fullest;
}

}  // namespace lpu::study
