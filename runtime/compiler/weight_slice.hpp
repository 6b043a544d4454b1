#pragma once
// Cutting a shard out of a weight matrix: a range of rows (output features) or
// a range of columns (input features), copied into a buffer the caller owns
// (e.g. the chip's SRAM arena). The result keeps the source dtype and layout,
// so a matvec on it computes exactly the matching part of the full matvec.
#include <cstddef>
#include <span>

#include "runtime/compiler/index_range.hpp"
#include "runtime/kernels/matrix.hpp"

namespace lpu::compiler {

// Bytes the slice needs (same checks as the slicing functions).
std::size_t row_slice_bytes(const kernels::Matrix& w, IndexRange rows);
std::size_t column_slice_bytes(const kernels::Matrix& w, IndexRange columns);

// Rows [rows.begin, rows.end) of w into `out`; returns a view of `out`.
// Throws lpu::Error on an invalid matrix, an empty or out-of-bounds range, or
// a buffer smaller than row_slice_bytes.
kernels::Matrix slice_rows(const kernels::Matrix& w, IndexRange rows, std::span<std::byte> out);

// Columns [columns.begin, columns.end) of every row of w into `out`. For block
// types both ends must be multiples of the block (whole blocks, scales included).
kernels::Matrix slice_columns(const kernels::Matrix& w, IndexRange columns, std::span<std::byte> out);

}  // namespace lpu::compiler
