#pragma once
// Q8_0 quantisation (GGML's layout and rounding) and row dequantisation for
// every DType, used for embedding lookups and for writing quantised models.
#include <cstdint>

#include "runtime/kernels/dtype.hpp"
#include "runtime/kernels/matrix.hpp"

namespace lpu::kernels {

// Quantises n floats (n a multiple of 32) into n / 32 blocks: per block
// scale = max|x| / 127 (stored as F16) and q = round(x / scale), computed as
// GGML does (x * (1 / scale), round half away from zero). Throws lpu::Error on
// a bad n or a non-finite input value (naming its index).
void quantize_row_q8_0(const float* x, std::int64_t n, BlockQ8_0* out);

// Writes row `row` of w (w.cols floats) to out. Throws lpu::Error when the row
// is out of range or the matrix is malformed.
void dequantize_row(const Matrix& w, std::int64_t row, float* out);

}  // namespace lpu::kernels
