#pragma once
// Matrix-vector and matrix-matrix products with weights of any DType and F32
// activations. Each output element is one dot product computed by exactly one
// thread in the fixed order of dot.hpp, so results are bitwise independent of
// the pool's thread count, and matmul's vector i equals matvec on it alone.
#include <cstdint>

#include "runtime/kernels/matrix.hpp"
#include "runtime/kernels/thread_pool.hpp"

namespace lpu::kernels {

// y[r] = dot(row r of w, x); x has w.cols floats, y has w.rows floats.
void matvec(const Matrix& w, const float* x, float* y, ThreadPool& pool);

// n input vectors at once: x is n x w.cols, y is n x w.rows (row-major). Each
// weight row is read from memory once and reused for all n vectors.
void matmul(const Matrix& w, const float* x, std::int64_t n, float* y, ThreadPool& pool);

}  // namespace lpu::kernels
