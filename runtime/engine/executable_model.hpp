#pragma once
// What the runtime can execute with real numbers. The compiler and `lpu sim`
// plan and time more than that: FP8 weights (a chip mode the kernels do not
// emulate) and mixture-of-experts layers on a plan of many chips (one chip
// runs them: single_chip_model.hpp; the compiled plans have no expert
// routing yet). Every executor checks its model here first, so such a model
// is refused by name instead of failing in a kernel.
#include "runtime/model/model_config.hpp"

namespace lpu::engine {

enum class Executor { one_chip, plan };

// Throws lpu::Error naming what `executor` cannot execute and that `lpu sim` can time it.
void require_executable(const model::ModelConfig& config, Executor executor);

}  // namespace lpu::engine
