#pragma once
// How often decode steps can start when they follow each other back to back.
// With pipeline micro-batching, stage s + 1 works on sequence b while stage s
// works on b + 1, and the next step's first sequences enter stage 0 while the
// last ones are still in the pipeline. In steady state the period P between
// step starts must let
//   - every chip do one step's work:      P >= busy(chip)  (its ops and deskew pads)
//   - every sequence get its next token:  P >= L(b), from the start of b's embed
//     to the end of its logits (the host samples between steps);
// and a modulo schedule reaches P = max of these. Throughput is batch / P.
// With one sequence, P is the step's latency.
#include <cstdint>

#include "plan/plan.hpp"
#include "plan/retime.hpp"

namespace lpu::compiler {

// `timing` is the plan's timing at one position (Retimer::timing).
std::int64_t step_period_cycles(const plan::Plan& plan, const plan::StepTiming& timing);

}  // namespace lpu::compiler
