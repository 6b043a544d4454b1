#include "study/expert_load_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "base/error.hpp"
#include "sim/random.hpp"

namespace lpu::study {

ExpertLoadEstimate estimate_expert_load(int experts, int k, double skew, std::int64_t tokens, std::uint64_t seed) {
    require(experts >= 1 && k >= 1 && k <= experts, "a router picks between 1 and its " + std::to_string(experts) +
                                                        " experts per token, not " + std::to_string(k));
    require(std::isfinite(skew) && skew >= 0.0, "a routing skew must be 0 (uniform) or more, got " + std::to_string(skew));
    require(tokens >= 1, "an expert load estimate needs at least one token");
    std::vector<double> log_weight(static_cast<std::size_t>(experts));
    for (int e = 0; e < experts; ++e) log_weight[static_cast<std::size_t>(e)] = -skew * std::log(e + 1.0);

    sim::SplitMix64 random(seed);
    std::vector<std::int64_t> routed(static_cast<std::size_t>(experts), 0);
    std::vector<double> key(static_cast<std::size_t>(experts));
    std::vector<int> order(static_cast<std::size_t>(experts));
    for (std::int64_t t = 0; t < tokens; ++t) {
        // Gumbel top-k: the k largest of log w + Gumbel noise are k draws without replacement.
        for (std::size_t e = 0; e < key.size(); ++e) {
            const double u = std::max(random.uniform(), 1e-300);
            key[e] = log_weight[e] - std::log(-std::log(u));
        }
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + k, order.end(),
                          [&](int a, int b) { return key[static_cast<std::size_t>(a)] > key[static_cast<std::size_t>(b)]; });
        for (int slot = 0; slot < k; ++slot) ++routed[static_cast<std::size_t>(order[static_cast<std::size_t>(slot)])];
    }
    ExpertLoadEstimate estimate{skew, tokens, {}, 1.0};
    const double total = static_cast<double>(tokens) * k;
    for (std::int64_t count : routed) estimate.share.push_back(static_cast<double>(count) / total);
    estimate.busiest_over_mean = *std::max_element(estimate.share.begin(), estimate.share.end()) * experts;
    return estimate;
}

}  // namespace lpu::study
