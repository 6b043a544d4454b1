#include "runtime/chip/emulated_chip.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace lpu::chip {

EmulatedChip::EmulatedChip(int id, const sim::ChipSpec& spec)
    : id_(id), cost_(spec), sram_(id, spec) {}

namespace {

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    require(!__builtin_add_overflow(a, b, &sum), "the chip's step overflows the 64-bit cycle count");
    return sum;
}

}  // namespace

std::int64_t EmulatedChip::charge(OpKind kind, std::int64_t cycles) {
    account_.charge(kind, cycles);
    start_cycle_ = end_cycle_;
    end_cycle_ = checked_add(end_cycle_, cycles);
    return cycles;
}

void EmulatedChip::reset_step() {
    account_.reset_step();
    start_cycle_ = end_cycle_ = late_cycles_ = 0;
}

std::int64_t EmulatedChip::begin_instruction(std::int64_t planned_cycle, std::int64_t arrival_cycle) {
    const std::int64_t scheduled = checked_add(planned_cycle, late_cycles_);
    const std::int64_t start = std::max(scheduled, arrival_cycle);
    // A plan may overlap instructions of a chip (its units work side by side):
    // only cycles after the previous instruction's end are idle or waiting.
    account_.charge(OpKind::Stall, std::max<std::int64_t>(0, scheduled - end_cycle_));
    account_.charge(OpKind::Transfer, std::max<std::int64_t>(0, start - std::max(scheduled, end_cycle_)));
    start_cycle_ = start;
    end_cycle_ = std::max(end_cycle_, start);
    late_cycles_ = start - planned_cycle;
    return start;
}

void EmulatedChip::run_instruction(OpKind kind, std::int64_t cycles, std::int64_t planned_cycles) {
    account_.charge(kind, cycles);
    end_cycle_ = std::max(end_cycle_, checked_add(start_cycle_, cycles));
    late_cycles_ = checked_add(late_cycles_, cycles - planned_cycles);
}

double EmulatedChip::nominal_microseconds(std::int64_t cycles) const {
    return static_cast<double>(cycles) * 1e6 / static_cast<double>(spec().clock_hz);
}

double EmulatedChip::step_microseconds() const { return nominal_microseconds(step_cycles()); }

double EmulatedChip::total_microseconds() const {
    return nominal_microseconds(account_.total_cycles());
}

}  // namespace lpu::chip
