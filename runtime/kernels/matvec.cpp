#include "runtime/kernels/matvec.hpp"

#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/kernels/dot.hpp"

namespace lpu::kernels {

void matvec(const Matrix& w, const float* x, float* y, ThreadPool& pool) { matmul(w, x, 1, y, pool); }

void matmul(const Matrix& w, const float* x, std::int64_t n, float* y, ThreadPool& pool) {
    validate_matrix(w, "matmul weight");
    require(n >= 1, "matmul: vector count " + std::to_string(n) + " must be positive");
    const DotKernels& kernels = dot_kernels();
    const std::int64_t min_rows = kMinParallelFloats / (w.cols * n) + 1;
    if (activation_format(w.dtype) == ActivationFormat::F32) {
        const RowDot dot = kernels.float_dot(w.dtype);
        pool.parallel_for(w.rows, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t r = begin; r < end; ++r) {
                // The row stays in L1 while it meets every vector.
                const std::byte* row = w.row(r);
                for (std::int64_t i = 0; i < n; ++i) y[i * w.rows + r] = dot(row, x + i * w.cols, w.cols);
            }
        }, min_rows);
        return;
    }
    // Block types: each vector is quantised once, on this thread, and every row
    // meets the same quantised copy (so rows split over threads see equal inputs).
    const QuantizedRowDot dot = kernels.quantized_dot(w.dtype);
    const std::size_t stride = quantized_activation_bytes(w.dtype, w.cols);
    thread_local std::vector<std::byte> activations;  // reused: a decode step makes hundreds of products
    activations.resize(stride * static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        quantize_activations(w.dtype, x + i * w.cols, w.cols, activations.data() + static_cast<std::size_t>(i) * stride);
    }
    const std::byte* quantized = activations.data();
    pool.parallel_for(w.rows, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
            const std::byte* row = w.row(r);
            for (std::int64_t i = 0; i < n; ++i) {
                y[i * w.rows + r] = dot(row, quantized + static_cast<std::size_t>(i) * stride, w.cols);
            }
        }
    }, min_rows);
}

}  // namespace lpu::kernels
