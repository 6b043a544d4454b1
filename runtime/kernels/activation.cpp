#include "runtime/kernels/activation.hpp"

#include <cmath>

namespace lpu::kernels {

void softmax(float* x, std::int64_t n) {
    if (n <= 0) return;
    float max_value = x[0];
    for (std::int64_t i = 1; i < n; ++i) {
        if (x[i] > max_value) max_value = x[i];
    }
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max_value);
        sum += x[i];
    }
    for (std::int64_t i = 0; i < n; ++i) x[i] /= sum;
}

namespace {
float silu_one(float value) { return value * (1.0f / (1.0f + std::exp(-value))); }
}  // namespace

void silu(float* x, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) x[i] = silu_one(x[i]);
}

void swiglu(float* gate_inout, const float* up, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) gate_inout[i] = silu_one(gate_inout[i]) * up[i];
}

}  // namespace lpu::kernels
