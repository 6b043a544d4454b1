#pragma once
// Rotary position embedding on ADJACENT pairs (llama2.c / GGUF-from-llama2.c
// layout), in llama2.c's float arithmetic: for pair i of a head,
// freq = 1 / theta^(i / head_dim), angle = position * freq (float),
// (v0, v1) -> (v0 cos - v1 sin, v0 sin + v1 cos).
namespace lpu::kernels {

// Rotates n_heads consecutive heads of head_dim (even) floats in place.
void rope(float* vec, int n_heads, int head_dim, int position, float theta);

}  // namespace lpu::kernels
