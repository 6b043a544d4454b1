#pragma once
// How the runtime's weight types map onto the matrix-unit precisions the time
// model costs: Q8_0 -> Int8 (its block scales are applied by the vector unit),
// F16 and BF16 -> Fp16, F8_E4M3 -> Fp8, F32 -> Fp32 (costed as two FP16 passes; see
// sim/chip/cost_model.hpp).
#include "runtime/kernels/dtype.hpp"
#include "sim/chip/precision.hpp"

namespace lpu::chip {

sim::Precision precision_of(kernels::DType type);

}  // namespace lpu::chip
