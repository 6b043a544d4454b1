#include "runtime/kernels/rope.hpp"

#include <cmath>
#include <string>

#include "base/error.hpp"

namespace lpu::kernels {

void rope(float* vec, int n_heads, int head_dim, int position, float theta) {
    require(head_dim > 0 && head_dim % 2 == 0, "rope: head_dim " + std::to_string(head_dim) + " must be even and positive");
    require(n_heads >= 0 && position >= 0, "rope: n_heads " + std::to_string(n_heads) + " and position " +
                                               std::to_string(position) + " must not be negative");
    for (int i = 0; i < head_dim; i += 2) {
        // The same float expressions as llama2.c, computed once per pair index
        // and applied to every head (the values do not depend on the head).
        const float freq = 1.0f / std::pow(theta, static_cast<float>(i) / static_cast<float>(head_dim));
        const float angle = static_cast<float>(position) * freq;
        const float cos_angle = std::cos(angle);
        const float sin_angle = std::sin(angle);
        for (int head = 0; head < n_heads; ++head) {
            float* pair = vec + static_cast<std::int64_t>(head) * head_dim + i;
            const float v0 = pair[0];
            const float v1 = pair[1];
            pair[0] = v0 * cos_angle - v1 * sin_angle;
            pair[1] = v0 * sin_angle + v1 * cos_angle;
        }
    }
}

}  // namespace lpu::kernels
