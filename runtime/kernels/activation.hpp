#pragma once
// Element-wise activations and softmax, in llama2.c's float arithmetic.
#include <cstdint>

namespace lpu::kernels {

// x[i] = exp(x[i] - max) / sum, summed sequentially in float.
void softmax(float* x, std::int64_t n);

// x[i] = x[i] * sigmoid(x[i]).
void silu(float* x, std::int64_t n);

// gate[i] = silu(gate[i]) * up[i] (the SwiGLU feed-forward non-linearity).
void swiglu(float* gate_inout, const float* up, std::int64_t n);

}  // namespace lpu::kernels
