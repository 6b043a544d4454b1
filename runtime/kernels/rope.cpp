#include "runtime/kernels/rope.hpp"

#include <cmath>
#include <string>

#include "base/error.hpp"

namespace lpu::kernels {

void rope(float* vec, int n_heads, int head_dim, int position, const RopeParams& params) {
    require(head_dim > 0 && head_dim % 2 == 0, "rope: head_dim " + std::to_string(head_dim) + " must be even and positive");
    require(n_heads >= 0 && position >= 0, "rope: n_heads " + std::to_string(n_heads) + " and position " +
                                               std::to_string(position) + " must not be negative");
    const int half = head_dim / 2;
    for (int pair = 0; pair < half; ++pair) {
        // The same float expressions as llama2.c, computed once per pair index
        // and applied to every head (the values do not depend on the head).
        const int i = 2 * pair;
        float freq = 1.0f / std::pow(params.theta, static_cast<float>(i) / static_cast<float>(head_dim));
        if (params.freq_factors) freq /= params.freq_factors[pair];
        float angle = static_cast<float>(position) * freq;
        if (params.freq_scale != 1.0f) angle *= params.freq_scale;
        const float cos_angle = std::cos(angle);
        const float sin_angle = std::sin(angle);
        // Where the pair's two values sit within a head.
        const int first = params.pairing == RopePairing::Adjacent ? i : pair;
        const int second = params.pairing == RopePairing::Adjacent ? i + 1 : pair + half;
        for (int head = 0; head < n_heads; ++head) {
            float* values = vec + static_cast<std::int64_t>(head) * head_dim;
            const float v0 = values[first];
            const float v1 = values[second];
            values[first] = v0 * cos_angle - v1 * sin_angle;
            values[second] = v0 * sin_angle + v1 * cos_angle;
        }
    }
}

}  // namespace lpu::kernels
