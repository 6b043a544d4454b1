#include "sim/clock/alignment_params.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/error.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace lpu::sim {
namespace {

constexpr double min_correction_period_s = 0.01;
constexpr double max_correction_period_s = 10.0;

double link_sigma_cycles(const ChipSpec& spec, const LinkTiming& link) {
    return static_cast<double>(link.jitter_stddev_ps) * static_cast<double>(spec.clock_hz) /
           static_cast<double>(ps_per_second);
}

// The terms of the bound that do not depend on the correction period.
double noise_bound_cycles(const AlignmentParams& params, const ChipSpec& spec, const LinkTiming& link) {
    const double sigma = link_sigma_cycles(spec, link);
    const double latency_term = normal_bound * sigma / std::sqrt(2.0 * params.echo_count);
    const double correction_term = normal_bound * sigma / std::sqrt(static_cast<double>(params.correction_messages));
    const double gain = std::ldexp(1.0, -params.rate_gain_shift);
    return (1.0 + latency_term + 3.0 * correction_term) / (1.0 - gain);
}

// 2 * 6 W sqrt(T) 1e-6 f T, as a multiple of T^1.5.
double wander_coefficient(const ChipSpec& spec, const DriftBudget& budget) {
    return 2.0 * normal_bound * budget.wander_ppm_per_sqrt_s * 1e-6 * static_cast<double>(spec.clock_hz);
}

}  // namespace

void validate(const AlignmentParams& params) {
    require(params.epoch_cycles >= 16 && params.epoch_cycles <= (std::int64_t{1} << 40),
            "alignment epoch_cycles must be between 16 and 2^40, got " + std::to_string(params.epoch_cycles));
    require(params.echo_count >= 1 && params.echo_count <= 4096,
            "alignment echo_count must be between 1 and 4096, got " + std::to_string(params.echo_count));
    require(params.correction_messages >= 1 && params.correction_messages <= 4096,
            "alignment correction_messages must be between 1 and 4096, got " +
                std::to_string(params.correction_messages));
    require(params.message_spacing_cycles >= 1 && params.message_spacing_cycles <= 1'000'000,
            "alignment message_spacing_cycles must be between 1 and 1e6, got " +
                std::to_string(params.message_spacing_cycles));
    require(params.rate_gain_shift >= 0 && params.rate_gain_shift <= 16,
            "alignment rate_gain_shift must be between 0 and 16, got " + std::to_string(params.rate_gain_shift));
    // A burst must land before the child forwards it one level down.
    const std::int64_t burst_cycles = params.correction_messages * params.message_spacing_cycles;
    require(params.level_delay_cycles > burst_cycles + 1024,
            "alignment level_delay_cycles must exceed a correction burst (" + std::to_string(burst_cycles) +
                " cycles) plus 1024 cycles of link time, got " + std::to_string(params.level_delay_cycles));
    require(params.start_cycles > params.echo_count * params.message_spacing_cycles + 1024,
            "alignment start_cycles must leave room for the echoes, got " + std::to_string(params.start_cycles));
    require(params.correction_period_cycles >= 1000 * params.level_delay_cycles,
            "alignment correction_period_cycles must be at least 1000 level delays (" +
                std::to_string(1000 * params.level_delay_cycles) + "), got " +
                std::to_string(params.correction_period_cycles));
}

AlignmentParams derive_alignment_params(const ChipSpec& spec, const LinkTiming& link, const DriftBudget& budget) {
    require(std::isfinite(budget.crystal_ppm) && budget.crystal_ppm >= 0.0 && budget.crystal_ppm <= 1000.0,
            "crystal ppm must be between 0 and 1000, got " + std::to_string(budget.crystal_ppm));
    require(std::isfinite(budget.wander_ppm_per_sqrt_s) && budget.wander_ppm_per_sqrt_s >= 0.0 &&
                budget.wander_ppm_per_sqrt_s <= 10.0,
            "wander must be between 0 and 10 ppm/sqrt(s), got " + std::to_string(budget.wander_ppm_per_sqrt_s));
    AlignmentParams params;
    // Largest power of two with E * 2P * 1e-6 <= 1 cycle, within [2^8, 2^20].
    std::int64_t epoch = std::int64_t{1} << 20;
    while (epoch > 256 && static_cast<double>(epoch) * 2.0 * budget.crystal_ppm * 1e-6 > 1.0) epoch /= 2;
    params.epoch_cycles = epoch;
    // wander_coefficient * T^1.5 <= noise / 4, to whole milliseconds.
    const double coefficient = wander_coefficient(spec, budget);
    double period_s = max_correction_period_s;
    if (coefficient > 0.0) {
        period_s = std::pow(noise_bound_cycles(params, spec, link) / (4.0 * coefficient), 2.0 / 3.0);
        period_s = std::clamp(std::floor(period_s * 1000.0) / 1000.0, min_correction_period_s, max_correction_period_s);
    }
    params.correction_period_cycles = std::llround(period_s * static_cast<double>(spec.clock_hz));
    validate(params);
    return params;
}

double hop_error_bound_cycles(const AlignmentParams& params, const ChipSpec& spec, const LinkTiming& link,
                              const DriftBudget& budget) {
    const double period_s =
        static_cast<double>(params.correction_period_cycles) / static_cast<double>(spec.clock_hz);
    const double wander = wander_coefficient(spec, budget) * std::pow(period_s, 1.5);
    const double sac = static_cast<double>(params.epoch_cycles) * 2.0 * budget.crystal_ppm * 1e-6;
    return noise_bound_cycles(params, spec, link) + wander + sac;
}

AlignmentParams alignment_params_with(const ChipSpec& spec, const DriftBudget& budget,
                                      const AlignmentOverrides& overrides) {
    AlignmentParams params = derive_alignment_params(spec, link_timing_from_spec(spec), budget);
    if (overrides.correction_period_s) {
        params.correction_period_cycles = std::llround(*overrides.correction_period_s * static_cast<double>(spec.clock_hz));
    }
    if (overrides.epoch_cycles) params.epoch_cycles = *overrides.epoch_cycles;
    if (overrides.root) params.root = *overrides.root;
    if (overrides.echo_count) params.echo_count = *overrides.echo_count;
    if (overrides.correction_messages) params.correction_messages = *overrides.correction_messages;
    validate(params);
    return params;
}

}  // namespace lpu::sim
