#pragma once
// What `lpu sim` predicts for a compiled plan. A plan is exactly what the
// runtime executes (runtime/engine/plan_model.hpp), so timing it with the
// runtime's own re-timer (plan/retime.hpp) gives the runtime's emulated cycles:
// a step's latency here equals PlanModel::last_forward_cycles() at that
// position, cycle for cycle; no weights and no numerics are involved.
#include <cstdint>
#include <map>
#include <string>

#include "collectives/fabric_timing.hpp"
#include "plan/plan.hpp"
#include "plan/retime.hpp"
#include "sim/chip/chip_spec.hpp"
#include "study/step_utilisation.hpp"

namespace lpu::study {

// Where one step's time goes along its critical path (plan/critical_path.hpp):
// the chain of work from cycle 0 to the end of the step, across chips. The
// four parts add up to the step's latency.
struct TimeBreakdown {
    std::map<std::string, std::int64_t> compute_by_op;  // op name -> cycles
    std::int64_t compute = 0;   // sum of compute_by_op
    std::int64_t transfer = 0;  // waiting for data in flight between chips
    std::int64_t deskew = 0;    // deskew pads (compile-time and runtime)
    std::int64_t idle = 0;      // nothing on the path explains it
};

struct StepStudy {
    std::int64_t position = 0;
    std::int64_t latency_cycles = 0;  // first op to last, one sequence's token
    std::int64_t period_cycles = 0;   // between back-to-back steps (runtime/compiler/step_period.hpp)
    TimeBreakdown critical_path;
    StepUtilisation utilisation;
};

// One decode step of `plan` at `position` (0-based). `fabric` is the system
// the plan was compiled for; `spec` its chip.
StepStudy study_step(const plan::Plan& plan, const plan::Retimer& retimer, std::int64_t position,
                     const collectives::FabricTiming& fabric, const sim::ChipSpec& spec);

// SRAM bytes the fullest chip of the plan uses (a region reused by buffers
// with disjoint lifetimes counts once).
std::int64_t fullest_chip_sram_bytes(const plan::Plan& plan);

}  // namespace lpu::study
