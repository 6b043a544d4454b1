#include "runtime/engine/sampler.hpp"

#include <algorithm>
#include <cmath>

#include "base/error.hpp"

namespace lpu::engine {

void validate(const SamplingOptions& options) {
    require(std::isfinite(options.temperature) && options.temperature >= 0.0f,
            "temperature must be >= 0 (got " + std::to_string(options.temperature) + ")");
    require(options.top_p > 0.0f && options.top_p <= 1.0f,
            "top-p must be in (0, 1] (got " + std::to_string(options.top_p) + ")");
    require(options.top_k >= 0, "top-k must be >= 0 (got " + std::to_string(options.top_k) + ")");
}

Sampler::Sampler(const SamplingOptions& options)
    : options_(options), rng_state_(options.seed != 0 ? options.seed : 0x9E3779B97F4A7C15ull) {
    validate(options);
}

int argmax(std::span<const float> values) {
    invariant(!values.empty(), "argmax of an empty vector");
    std::size_t best = 0;
    for (std::size_t i = 1; i < values.size(); ++i) {
        if (values[i] > values[best]) best = i;
    }
    return static_cast<int>(best);
}

// xorshift64*: tiny, fast, and identical on every platform (unlike std::
// distributions), so a seed means the same tokens everywhere.
float Sampler::next_unit_float() {
    rng_state_ ^= rng_state_ >> 12;
    rng_state_ ^= rng_state_ << 25;
    rng_state_ ^= rng_state_ >> 27;
    const auto bits32 = static_cast<std::uint32_t>((rng_state_ * 0x2545F4914F6CDD1Dull) >> 32);
    return static_cast<float>(bits32 >> 8) / 16777216.0f;
}

int Sampler::sample(std::span<float> logits) {
    if (options_.temperature == 0.0f) return argmax(logits);

    // Candidates sorted by logit, highest first (ties by id, for determinism),
    // narrowed to the top k.
    candidates_.clear();
    for (std::size_t i = 0; i < logits.size(); ++i) {
        candidates_.emplace_back(logits[i] / options_.temperature, static_cast<int>(i));
    }
    const auto by_probability = [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    std::size_t keep = candidates_.size();
    if (options_.top_k > 0) keep = std::min<std::size_t>(keep, static_cast<std::size_t>(options_.top_k));
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(keep),
                      candidates_.end(), by_probability);
    candidates_.resize(keep);

    // Softmax over the survivors, then the smallest prefix whose mass reaches top_p.
    const float max_logit = candidates_.front().first;
    double total = 0.0;
    for (auto& candidate : candidates_) {
        candidate.first = std::exp(candidate.first - max_logit);
        total += candidate.first;
    }
    double prefix_mass = 0.0;
    std::size_t nucleus = candidates_.size();
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
        prefix_mass += candidates_[i].first / total;
        if (prefix_mass >= options_.top_p) {
            nucleus = i + 1;
            break;
        }
    }
    double nucleus_mass = 0.0;
    for (std::size_t i = 0; i < nucleus; ++i) nucleus_mass += candidates_[i].first;

    const double coin = static_cast<double>(next_unit_float()) * nucleus_mass;
    double cumulative = 0.0;
    for (std::size_t i = 0; i < nucleus; ++i) {
        cumulative += candidates_[i].first;
        if (coin < cumulative) return candidates_[i].second;
    }
    return candidates_[nucleus - 1].second;  // rounding left the coin past the end
}

}  // namespace lpu::engine
