#pragma once
// EmulatedChip: one LPU as the runtime sees it: its spec, its SRAM (where the
// chip's share of weights, KV cache and activations live), the cost model that
// prices each op in cycles, and the account those cycles are charged to.
#include <cstdint>

#include "runtime/chip/cycle_account.hpp"
#include "runtime/chip/sram_arena.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/chip/cost_model.hpp"

namespace lpu::chip {

class EmulatedChip {
public:
    // Throws lpu::Error if the spec is invalid or its SRAM cannot be reserved.
    EmulatedChip(int id, const sim::ChipSpec& spec);

    int id() const { return id_; }
    const sim::ChipSpec& spec() const { return cost_.spec(); }
    const sim::CostModel& cost() const { return cost_; }
    SramArena& sram() { return sram_; }
    const SramArena& sram() const { return sram_; }
    const CycleAccount& cycles() const { return account_; }

    // Charges `cycles` of `kind`; returns them so call sites can also log or trace.
    std::int64_t charge(OpKind kind, std::int64_t cycles);
    void reset_step() { account_.reset_step(); }
    std::int64_t step_cycles() const { return account_.step_cycles(); }

    // Cycles at the nominal clock (spec.clock_hz), in microseconds: the step's
    // emulated latency for reports. Drift-aware time is the Oscillator's job.
    double step_microseconds() const;
    double total_microseconds() const;

private:
    double nominal_microseconds(std::int64_t cycles) const;

    int id_;
    sim::CostModel cost_;
    SramArena sram_;
    CycleAccount account_;
};

}  // namespace lpu::chip
