#include "runtime/kernels/matvec.hpp"

#include <string>

#include "base/error.hpp"
#include "runtime/kernels/dot.hpp"

namespace lpu::kernels {

void matvec(const Matrix& w, const float* x, float* y, ThreadPool& pool) { matmul(w, x, 1, y, pool); }

void matmul(const Matrix& w, const float* x, std::int64_t n, float* y, ThreadPool& pool) {
    validate_matrix(w, "matmul weight");
    require(n >= 1, "matmul: vector count " + std::to_string(n) + " must be positive");
    const RowDot dot = dot_kernels().for_dtype(w.dtype);
    pool.parallel_for(w.rows, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
            // The row stays in L1 while it meets every vector.
            const std::byte* row = w.row(r);
            for (std::int64_t i = 0; i < n; ++i) y[i * w.rows + r] = dot(row, x + i * w.cols, w.cols);
        }
    }, kMinParallelFloats / (w.cols * n) + 1);
}

}  // namespace lpu::kernels
