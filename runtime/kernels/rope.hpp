#pragma once
// Rotary position embedding, in llama2.c's float arithmetic: for pair i of a
// head (0 <= i < head_dim / 2), freq = 1 / theta^(2i / head_dim), divided by
// freq_factors[i] when given (Llama 3.1's rope_freqs), angle = position * freq,
// times freq_scale (linear scaling), and (v0, v1) -> (v0 cos - v1 sin, v0 sin + v1 cos).
// Pairs are ADJACENT values (2i, 2i + 1) as llama2.c and llama GGUF files hold
// them, or the two HALVES of the head (i, i + head_dim / 2) as GPT-NeoX and
// Qwen2 do. Plain RoPE (no factors, scale 1) is bit-identical to llama2.c's.
namespace lpu::kernels {

enum class RopePairing { Adjacent, Halves };

struct RopeParams {
    float theta = 10000.0f;
    float freq_scale = 1.0f;
    RopePairing pairing = RopePairing::Adjacent;
    const float* freq_factors = nullptr;  // head_dim / 2 divisors, or none
};

// Rotates n_heads consecutive heads of head_dim (even) floats in place.
void rope(float* vec, int n_heads, int head_dim, int position, const RopeParams& params);

}  // namespace lpu::kernels
