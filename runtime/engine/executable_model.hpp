#pragma once
// What the runtime can execute with real numbers. The compiler and `lpu sim`
// plan and time more than that: FP8 weights, a chip mode the kernels do not
// emulate. Every executor (one chip, each chip of a plan) checks its model
// here first, so such a model is refused by name instead of failing in a kernel.
#include "runtime/model/model_config.hpp"

namespace lpu::engine {

// Throws lpu::Error naming what the runtime cannot execute and that `lpu sim` can time it.
void require_executable(const model::ModelConfig& config);

}  // namespace lpu::engine
