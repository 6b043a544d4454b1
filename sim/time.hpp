#pragma once
// Time in the simulator. True time is an int64 count of picoseconds since the
// start of a simulation (an hour is 3.6e15 ps, far inside int64). Local time is
// an int64 count of one chip's own oscillator cycles. The two are never mixed
// without going through an Oscillator (sim/clock/oscillator.hpp).
//
// Sub-cycle quantities (HAC values and rates, measured latencies) are fixed
// point with 32 fraction bits ("_q32"); the oscillator keeps picoseconds with
// 40. Products of them need 128-bit intermediates, hence Int128.
#include <cstdint>

namespace lpu::sim {

inline constexpr std::int64_t ps_per_second = 1'000'000'000'000;

// One in fixed point with 32 fraction bits.
inline constexpr std::int64_t q32_one = std::int64_t{1} << 32;

// GCC and Clang both provide __int128; __extension__ keeps -Wpedantic quiet.
__extension__ using Int128 = __int128;

// floor(numerator / denominator) for a positive denominator (C++ division
// truncates toward zero, which is wrong for negative numerators).
constexpr Int128 floor_div(Int128 numerator, Int128 denominator) {
    const Int128 quotient = numerator / denominator;
    return (numerator % denominator != 0 && numerator < 0) ? quotient - 1 : quotient;
}

// ceil(numerator / denominator) for a positive denominator.
constexpr Int128 ceil_div(Int128 numerator, Int128 denominator) {
    return -floor_div(-numerator, denominator);
}

// floor(value / 2^32): the integer part of a q32 number (an arithmetic shift,
// which C++20 defines as flooring for negative values too).
constexpr std::int64_t q32_floor(Int128 value) { return static_cast<std::int64_t>(value >> 32); }

// Nominal cycles of a clock of `clock_hz` in `duration_ps`, rounded down; for
// sizing schedules only: actual cycles come from an Oscillator.
constexpr std::int64_t nominal_cycles(std::int64_t duration_ps, std::int64_t clock_hz) {
    return static_cast<std::int64_t>(Int128{duration_ps} * clock_hz / ps_per_second);
}

// True picoseconds of `cycles` at exactly `clock_hz`, rounded up.
constexpr std::int64_t nominal_ps(std::int64_t cycles, std::int64_t clock_hz) {
    return static_cast<std::int64_t>(ceil_div(Int128{cycles} * ps_per_second, clock_hz));
}

}  // namespace lpu::sim
