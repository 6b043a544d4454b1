#include "sim/random.hpp"

namespace lpu::sim {

std::uint64_t mix64(std::uint64_t value) {
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

std::uint64_t SplitMix64::next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
}

double SplitMix64::uniform() {
    return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);  // 2^-53
}

std::uint64_t stream_key(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    std::uint64_t key = mix64(seed + 0x9e3779b97f4a7c15ULL);
    key = mix64(key ^ (a + 0x632be59bd9b4e019ULL));
    key = mix64(key ^ (b + 0x8cb92ba72f3d8dd7ULL));
    return mix64(key ^ (c + 0xd6e8feb86659fd93ULL));
}

double random_normal(std::uint64_t key) {
    SplitMix64 bits(key);
    std::int64_t sum = 0;
    for (int word = 0; word < 3; ++word) {
        const std::uint64_t value = bits.next();
        for (int lane = 0; lane < 4; ++lane) sum += static_cast<std::int64_t>((value >> (16 * lane)) & 0xffff);
    }
    // Twelve uniforms on {0..65535}/65536 have mean 12 * 65535/2 / 65536 and a
    // variance of 12 * (65536^2 - 1)/12 / 65536^2 = 1 - 2^-32.
    constexpr std::int64_t twice_mean_units = 12 * 65535;
    return static_cast<double>(2 * sum - twice_mean_units) / (2.0 * 65536.0);
}

}  // namespace lpu::sim
