#pragma once
// How the runtime's weight types map onto the matrix-unit precisions the time
// model costs: Q8_0 -> Int8 (its block scales are applied by the vector unit),
// F16 and BF16 -> Fp16, F8_E4M3 -> Fp8, F32 -> Fp32 (costed as two FP16 passes; see
// sim/chip/cost_model.hpp).
//
// The 4/5/6-bit legacy blocks and the K-quants are held in SRAM at their file
// size and multiplied on the INT8 MXM, as their quants are small integers (and
// as the runtime multiplies them, against 8-bit activations): the vector unit
// first unpacks each value's bit fields into a byte (packing_of); their block
// and sub-block scales and minimums, like Q8_0's scales, are applied by the
// vector unit to the MXM's sums and not counted. ALU operations per value, one
// per bit-field extraction, merge of two fields, or offset subtraction:
//   Q4_1, Q4_K, Q2_K: 1 (extract)           Q4_0: 2 (extract, subtract 8)
//   Q5_1, Q5_K: 3 (extract, extract, merge) Q5_0: 4 (... and subtract 16)
//   Q3_K: 4 (extract, extract, merge, subtract 4)  Q6_K: 4 (... subtract 32)
#include <cstdint>

#include "runtime/kernels/dtype.hpp"
#include "sim/chip/cost_model.hpp"
#include "sim/chip/precision.hpp"

namespace lpu::chip {

sim::Precision precision_of(kernels::DType type);
// Not packed for F32/F16/BF16/F8_E4M3/Q8_0; see above for the others.
sim::WeightPacking packing_of(kernels::DType type);

// The product of a rows x cols matrix of `type` with `batch` vectors, as the cost model takes it.
sim::MatmulShape weight_product(kernels::DType type, std::int64_t rows, std::int64_t cols, std::int64_t batch = 1);

}  // namespace lpu::chip
