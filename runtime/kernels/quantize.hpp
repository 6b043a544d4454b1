#pragma once
// Converting rows between F32 and every weight DType: the quantisers used to
// write model files (`lpu model quantize`, synthetic models) and the
// dequantisers used for embedding lookups and for reading any file as floats.
// The per-type work is in the family files (legacy_blocks.hpp, k_quants.hpp).
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/dtype.hpp"
#include "runtime/kernels/matrix.hpp"

namespace lpu::kernels {

// Encodes n floats as `type` into `out` (dtype_bytes(type, n) bytes): F32 is
// copied, F16 and BF16 rounded to nearest even, block types quantised with
// GGML's reference rounding. Throws lpu::Error when n is not a positive
// multiple of the type's block, when the type has no encoder (F8_E4M3), or,
// for block types, when a value is not finite (naming its index).
void quantize_row(DType type, const float* x, std::int64_t n, std::byte* out);

// Decodes n values of `type` stored at `data` (any alignment) into `out`,
// bit-exact with GGML's dequantisers. Throws lpu::Error for F8_E4M3 or a bad n.
void dequantize_values(DType type, const std::byte* data, std::int64_t n, float* out);

// Writes row `row` of w (w.cols floats) to out. Throws lpu::Error when the row
// is out of range or the matrix is malformed.
void dequantize_row(const Matrix& w, std::int64_t row, float* out);

}  // namespace lpu::kernels
