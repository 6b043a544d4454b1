#include "sim/clock/chip_clocks.hpp"

#include <string>

#include "base/error.hpp"

namespace lpu::sim {

FreeRunningClocks::FreeRunningClocks(const std::vector<OscillatorParams>& oscillators)
    : oscillators_(oscillators.begin(), oscillators.end()) {}

Oscillator& FreeRunningClocks::oscillator(topology::ChipId chip) {
    invariant(chip < oscillators_.size(), "no clock for chip " + std::to_string(chip) + " (there are " +
                                              std::to_string(oscillators_.size()) + ")");
    return oscillators_[chip];
}

std::int64_t FreeRunningClocks::true_ps_at(topology::ChipId chip, std::int64_t count) {
    return oscillator(chip).edge_ps(count);
}

std::int64_t FreeRunningClocks::count_at(topology::ChipId chip, std::int64_t true_ps) {
    return oscillator(chip).cycle_at(true_ps);
}

}  // namespace lpu::sim
