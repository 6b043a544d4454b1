#include "runtime/chip/emulated_chip.hpp"

namespace lpu::chip {

EmulatedChip::EmulatedChip(int id, const sim::ChipSpec& spec)
    : id_(id), cost_(spec), sram_(id, spec) {}

std::int64_t EmulatedChip::charge(OpKind kind, std::int64_t cycles) {
    account_.charge(kind, cycles);
    return cycles;
}

double EmulatedChip::nominal_microseconds(std::int64_t cycles) const {
    return static_cast<double>(cycles) * 1e6 / static_cast<double>(spec().clock_hz);
}

double EmulatedChip::step_microseconds() const { return nominal_microseconds(step_cycles()); }

double EmulatedChip::total_microseconds() const {
    return nominal_microseconds(account_.total_cycles());
}

}  // namespace lpu::chip
