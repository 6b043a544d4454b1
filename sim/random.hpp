#pragma once
// Seeded randomness that gives the same numbers on every platform and standard
// library: SplitMix64 for bits, and our own normal sampler built from integer
// arithmetic only (std:: distributions differ between libraries).
//
// Streams are counter based where that helps: random_normal(key) is a pure
// function of its key, so a link's jitter for its n-th message does not depend
// on the order in which the simulator asks for it.
#include <cstdint>

namespace lpu::sim {

// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit state advanced by a Weyl
// constant and finalised by a bijective mixer.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();
    // Uniform in [0, 1) with 53 random bits.
    double uniform();
    // Uniform in [low, high).
    double uniform(double low, double high) { return low + (high - low) * uniform(); }

private:
    std::uint64_t state_;
};

// The SplitMix64 finaliser: a bijective, well-mixing 64-bit hash.
std::uint64_t mix64(std::uint64_t value);

// A key for an independent stream: mixes a seed with up to three labels
// (e.g. purpose, chip, index) so that nearby labels give unrelated keys.
std::uint64_t stream_key(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0);

// An approximately standard normal sample, a pure function of `key`: the
// Irwin-Hall sum of twelve 16-bit uniforms taken from three SplitMix64 outputs,
// minus its mean. Mean 0, variance 1 (to 1e-9), and bounded to +-6: tails
// beyond 6 sigma, which a physical jitter never shows in practice, are cut,
// which also lets the models state hard bounds (see normal_bound).
double random_normal(std::uint64_t key);

// |random_normal(key)| never exceeds this.
inline constexpr double normal_bound = 6.0;

}  // namespace lpu::sim
