#pragma once
// Picks the next token from logits: greedy, or temperature sampling narrowed by
// top-k and top-p (nucleus), driven by a seeded generator so a run is repeatable.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace lpu::engine {

struct SamplingOptions {
    float temperature = 1.0f;  // 0 = greedy (argmax)
    float top_p = 0.9f;        // in (0, 1]; 1 keeps every token
    int top_k = 0;             // 0 = no top-k limit
    std::uint64_t seed = 0;    // 0 is replaced by a fixed non-zero seed
};

// Throws lpu::Error when an option is out of range (negative temperature, top_p
// outside (0, 1], negative top_k).
void validate(const SamplingOptions& options);

class Sampler {
public:
    explicit Sampler(const SamplingOptions& options);

    // Chooses a token id. `logits` is scratch: it may be modified.
    int sample(std::span<float> logits);

private:
    float next_unit_float();  // uniform in [0, 1)

    SamplingOptions options_;
    std::uint64_t rng_state_;
    std::vector<std::pair<float, int>> candidates_;  // reused across calls
};

// The index of the largest value; the first one on ties (so every partitioning
// of the vocabulary agrees).
int argmax(std::span<const float> values);

}  // namespace lpu::engine
