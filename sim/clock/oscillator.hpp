#pragma once
// Oscillator: one chip's crystal, the only bridge between true time (integer
// picoseconds) and that chip's local time (integer cycles).
//
// Model. The frequency is nominal_hz * (1 + ppm * 1e-6) where ppm is a static
// offset plus a random walk (wander): the walk takes one step every
// wander_step_cycles local cycles (default 0.1 s of cycles), each step normal
// with sigma wander_ppm_per_sqrt_s * sqrt(step seconds), so after t seconds the
// offset has moved by about wander * sqrt(t) ppm. Between steps the period is
// constant, so local time is piecewise linear in true time. Each segment keeps
// its period and the true time of its first cycle in fixed point (ps * 2^40,
// integer), and the next segment starts exactly where the last one ends: no
// floating-point accumulation, so an hour of cycles lands on the same
// picosecond on every run and platform.
//
// Edge jitter (jitter_ps rms, per cycle edge, not accumulating) moves each edge
// by a seeded, bounded amount (at most 6 * jitter_ps, required to be under half
// a period so edges stay in order). Cycle 0 has its edge at true time 0.
//
// Mapping contract (tested): edge_ps is strictly increasing; cycle_at(t) is the
// last cycle whose edge is at or before t; cycle_at(edge_ps(c)) == c.
#include <cstdint>
#include <deque>

#include "sim/time.hpp"

namespace lpu::sim {

struct OscillatorParams {
    std::int64_t nominal_hz = 900'000'000;
    double offset_ppm = 0.0;
    double wander_ppm_per_sqrt_s = 0.0;
    std::int64_t wander_step_cycles = 90'000'000;  // 0.1 s at 900 MHz
    double jitter_ps = 0.0;                        // rms, per edge
    std::uint64_t seed = 0;
};

// Throws lpu::Error naming the first field out of range.
void validate(const OscillatorParams& params);

class Oscillator {
public:
    explicit Oscillator(const OscillatorParams& params);

    const OscillatorParams& params() const { return params_; }

    // True time of the rising edge that starts local cycle `cycle` (>= 0).
    std::int64_t edge_ps(std::int64_t cycle);
    // The last cycle whose edge is at or before `true_ps` (>= 0).
    std::int64_t cycle_at(std::int64_t true_ps);

    // The frequency offset (static + wander) in effect during `cycle`.
    double ppm_at(std::int64_t cycle);

    // Drops the stored wander segments that end before `cycle`: long runs that
    // move forward in time keep memory flat. Asking about an earlier cycle or
    // time afterwards throws lpu::Error.
    void forget_before(std::int64_t cycle);

private:
    struct Segment {
        Int128 start_fixed;          // true time of the segment's first edge, ps * 2^40
        std::int64_t period_fixed;   // ps * 2^40 per cycle
        double ppm;
    };

    const Segment& segment(std::int64_t index);
    // The ideal (jitter-free) edge in ps * 2^40.
    Int128 ideal_edge_fixed(std::int64_t cycle);
    std::int64_t jitter_of(std::int64_t cycle) const;
    void append_segment();

    OscillatorParams params_;
    double wander_step_sigma_ppm_;
    std::deque<Segment> segments_;
    std::int64_t first_segment_ = 0;  // index of segments_.front()
};

}  // namespace lpu::sim
