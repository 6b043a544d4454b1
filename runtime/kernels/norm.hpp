#pragma once
// RMSNorm with the exact float arithmetic of llama2.c (sequential float sum),
// so greedy decoding matches its reference outputs.
#include <cstdint>

namespace lpu::kernels {

// out[j] = weight[j] * (x[j] / sqrt(mean(x^2) + eps)). out may alias x.
void rmsnorm(float* out, const float* x, const float* weight, std::int64_t n, float eps);

}  // namespace lpu::kernels
