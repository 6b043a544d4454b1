#include "runtime/kernels/expert_routing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "base/error.hpp"

namespace lpu::kernels {

std::vector<ExpertChoice> route_token(std::span<const float> logits, int k) {
    require(k >= 1 && static_cast<std::size_t>(k) <= logits.size(),
            "route " + std::to_string(k) + " experts of " + std::to_string(logits.size()));
    const float peak = *std::max_element(logits.begin(), logits.end());
    std::vector<float> probabilities(logits.size());
    float total = 0.0f;
    for (std::size_t e = 0; e < logits.size(); ++e) {
        probabilities[e] = std::exp(logits[e] - peak);
        total += probabilities[e];
    }
    for (float& p : probabilities) p /= total;
    std::vector<int> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) {
        const auto pa = probabilities[static_cast<std::size_t>(a)], pb = probabilities[static_cast<std::size_t>(b)];
        return pa > pb || (pa == pb && a < b);
    });
    std::vector<ExpertChoice> chosen;
    float chosen_total = 0.0f;
    for (int i = 0; i < k; ++i) {
        const int expert = order[static_cast<std::size_t>(i)];
        chosen.push_back({expert, probabilities[static_cast<std::size_t>(expert)]});
        chosen_total += chosen.back().weight;
    }
    for (ExpertChoice& choice : chosen) choice.weight /= chosen_total;
    return chosen;
}

}  // namespace lpu::kernels
