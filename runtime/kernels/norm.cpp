#include "runtime/kernels/norm.hpp"

#include <cmath>

namespace lpu::kernels {

void rmsnorm(float* out, const float* x, const float* weight, std::int64_t n, float eps) {
    float sum_squares = 0.0f;
    for (std::int64_t j = 0; j < n; ++j) sum_squares += x[j] * x[j];
    sum_squares /= static_cast<float>(n);
    sum_squares += eps;
    const float inverse_rms = 1.0f / std::sqrt(sum_squares);
    for (std::int64_t j = 0; j < n; ++j) out[j] = weight[j] * (inverse_rms * x[j]);
}

}  // namespace lpu::kernels
