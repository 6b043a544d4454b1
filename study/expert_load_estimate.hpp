#pragma once
// The load a router spreads over a mixture of experts, under an assumed
// routing distribution, for `lpu sim` (which never sees real tokens; `lpu run`
// counts the real load). Expert e is preferred with weight 1 / (e + 1)^skew
// (skew 0: uniform, larger: a few experts take most tokens, Zipf-like), and
// each token takes k distinct experts drawn by those weights without
// replacement (a top k of noisy preferences: the Gumbel top-k trick). Sampled
// with a fixed seed, so a study is repeatable.
#include <cstdint>
#include <vector>

namespace lpu::study {

struct ExpertLoadEstimate {
    double skew = 0.0;
    std::int64_t tokens = 0;     // tokens sampled
    std::vector<double> share;   // of all routed (token, expert) pairs, by expert: sums to 1
    double busiest_over_mean = 1.0;
};

// Throws lpu::Error unless 1 <= k <= experts, skew >= 0 and tokens >= 1.
ExpertLoadEstimate estimate_expert_load(int experts, int k, double skew, std::int64_t tokens, std::uint64_t seed = 1);

}  // namespace lpu::study
