#include "sim/clock/oscillator.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/error.hpp"
#include "sim/random.hpp"

namespace lpu::sim {
namespace {

// Labels of the random streams an oscillator draws from.
constexpr std::uint64_t wander_stream = 1;
constexpr std::uint64_t jitter_stream = 2;

// The walk is kept within +-1% so that periods stay positive and finite even
// for absurd wander settings; real crystals stay within a few hundred ppm.
constexpr double max_ppm = 10'000.0;

// Periods carry 40 fraction bits: a period of 1111.1 ps is then exact to
// 1e-12 ps, so an hour of cycles is off the exact rate by about a picosecond.
constexpr int period_fraction_bits = 40;
constexpr Int128 period_one = Int128{1} << period_fraction_bits;

std::int64_t period_fixed_of(std::int64_t nominal_hz, double ppm) {
    const double hz = static_cast<double>(nominal_hz) * (1.0 + ppm * 1e-6);
    return std::llround(static_cast<double>(ps_per_second) / hz * static_cast<double>(period_one));
}

}  // namespace

void validate(const OscillatorParams& params) {
    require(params.nominal_hz >= 1'000'000 && params.nominal_hz <= 100'000'000'000,
            "oscillator nominal_hz must be between 1 MHz and 100 GHz, got " + std::to_string(params.nominal_hz));
    require(std::isfinite(params.offset_ppm) && std::abs(params.offset_ppm) <= 1'000.0,
            "oscillator offset_ppm must be within +-1000, got " + std::to_string(params.offset_ppm));
    require(std::isfinite(params.wander_ppm_per_sqrt_s) && params.wander_ppm_per_sqrt_s >= 0.0 &&
                params.wander_ppm_per_sqrt_s <= 10.0,
            "oscillator wander_ppm_per_sqrt_s must be between 0 and 10, got " +
                std::to_string(params.wander_ppm_per_sqrt_s));
    require(params.wander_step_cycles >= 1,
            "oscillator wander_step_cycles must be >= 1, got " + std::to_string(params.wander_step_cycles));
    const double period_ps = static_cast<double>(ps_per_second) / static_cast<double>(params.nominal_hz) *
                             (1.0 - max_ppm * 1e-6);
    // Edges stay ordered when two neighbours' jitters (each <= 6 sigma) and the
    // 1 ps rounding cannot swap them.
    require(std::isfinite(params.jitter_ps) && params.jitter_ps >= 0.0 &&
                2.0 * normal_bound * params.jitter_ps + 2.0 < period_ps,
            "oscillator jitter_ps must be >= 0 and under " +
                std::to_string((period_ps - 2.0) / (2.0 * normal_bound)) + " ps (1/12 of a period), got " +
                std::to_string(params.jitter_ps));
}

Oscillator::Oscillator(const OscillatorParams& params) : params_(params) {
    validate(params_);
    const double step_seconds =
        static_cast<double>(params_.wander_step_cycles) / static_cast<double>(params_.nominal_hz);
    wander_step_sigma_ppm_ = params_.wander_ppm_per_sqrt_s * std::sqrt(step_seconds);
    segments_.push_back({0, period_fixed_of(params_.nominal_hz, params_.offset_ppm), params_.offset_ppm});
}

void Oscillator::append_segment() {
    const Segment& last = segments_.back();
    const std::int64_t index = first_segment_ + static_cast<std::int64_t>(segments_.size());
    const double step = wander_step_sigma_ppm_ == 0.0
                            ? 0.0
                            : wander_step_sigma_ppm_ * random_normal(stream_key(params_.seed, wander_stream, index));
    const double ppm = std::clamp(last.ppm + step, -max_ppm, max_ppm);
    const Int128 start = last.start_fixed + Int128{params_.wander_step_cycles} * last.period_fixed;
    segments_.push_back({start, period_fixed_of(params_.nominal_hz, ppm), ppm});
}

const Oscillator::Segment& Oscillator::segment(std::int64_t index) {
    if (index < first_segment_) throw Error("oscillator asked about cycle " +
                                         std::to_string(index * params_.wander_step_cycles) +
                                         ", before the history it has forgotten");
    while (first_segment_ + static_cast<std::int64_t>(segments_.size()) <= index) append_segment();
    return segments_[static_cast<std::size_t>(index - first_segment_)];
}

Int128 Oscillator::ideal_edge_fixed(std::int64_t cycle) {
    const std::int64_t index = cycle / params_.wander_step_cycles;
    const Segment& s = segment(index);
    return s.start_fixed + Int128{cycle - index * params_.wander_step_cycles} * s.period_fixed;
}

std::int64_t Oscillator::jitter_of(std::int64_t cycle) const {
    if (params_.jitter_ps == 0.0 || cycle == 0) return 0;
    return std::llround(params_.jitter_ps * random_normal(stream_key(params_.seed, jitter_stream, cycle)));
}

std::int64_t Oscillator::edge_ps(std::int64_t cycle) {
    if (cycle < 0) throw Error("oscillator cycles start at 0, got " + std::to_string(cycle));
    return static_cast<std::int64_t>(ideal_edge_fixed(cycle) >> period_fraction_bits) + jitter_of(cycle);
}

std::int64_t Oscillator::cycle_at(std::int64_t true_ps) {
    if (true_ps < 0) throw Error("true time starts at 0 ps, got " + std::to_string(true_ps));
    // The last ideal edge with floor(edge) <= true_ps, i.e. edge <= limit.
    const Int128 limit = (Int128{true_ps} + 1) * period_one - 1;
    while (segments_.back().start_fixed + Int128{params_.wander_step_cycles} * segments_.back().period_fixed <= limit) {
        append_segment();
    }
    const auto after = std::upper_bound(segments_.begin(), segments_.end(), limit,
                                        [](Int128 value, const Segment& s) { return value < s.start_fixed; });
    if (after == segments_.begin()) throw Error("oscillator asked about " + std::to_string(true_ps) +
                                            " ps, before the history it has forgotten");
    const auto index = static_cast<std::int64_t>(after - segments_.begin()) - 1;
    const Segment& s = segments_[static_cast<std::size_t>(index)];
    std::int64_t cycle = (first_segment_ + index) * params_.wander_step_cycles +
                         static_cast<std::int64_t>((limit - s.start_fixed) / s.period_fixed);
    // Jitter moves an edge by less than half a period: the answer is within one
    // cycle of the ideal one.
    if (params_.jitter_ps != 0.0) {
        if (edge_ps(cycle + 1) <= true_ps) ++cycle;
        else if (cycle > 0 && edge_ps(cycle) > true_ps) --cycle;
    }
    return cycle;
}

double Oscillator::ppm_at(std::int64_t cycle) {
    if (cycle < 0) throw Error("oscillator cycles start at 0, got " + std::to_string(cycle));
    return segment(cycle / params_.wander_step_cycles).ppm;
}

void Oscillator::forget_before(std::int64_t cycle) {
    const std::int64_t keep_from = cycle / params_.wander_step_cycles;
    while (first_segment_ < keep_from && segments_.size() > 1) {
        segments_.pop_front();
        ++first_segment_;
    }
}

}  // namespace lpu::sim
