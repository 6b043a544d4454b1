#pragma once
// A read-only view of a weight matrix: row-major, one row per output element.
// The memory belongs to someone else (a mapped model file, a chip's SRAM arena).
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/dtype.hpp"

namespace lpu::kernels {

struct Matrix {
    DType dtype = DType::F32;
    std::int64_t rows = 0;
    std::int64_t cols = 0;  // a row of a block type holds whole blocks
    const std::byte* data = nullptr;

    std::size_t row_bytes() const { return dtype_bytes(dtype, static_cast<std::size_t>(cols)); }
    std::size_t size_bytes() const { return row_bytes() * static_cast<std::size_t>(rows); }
    const std::byte* row(std::int64_t r) const { return data + static_cast<std::size_t>(r) * row_bytes(); }
};

// Throws lpu::Error unless the matrix has a positive shape, data, and (for block
// types) whole blocks per row. `what` names the matrix in the message.
void validate_matrix(const Matrix& w, const char* what);

}  // namespace lpu::kernels
