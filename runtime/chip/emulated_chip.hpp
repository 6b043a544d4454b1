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

    // Charges `cycles` of `kind`, run right after the chip's previous op; returns
    // them so call sites can also log or trace.
    std::int64_t charge(OpKind kind, std::int64_t cycles);
    // Starts a step: its cycle 0, on the plan's schedule.
    void reset_step();
    std::int64_t step_cycles() const { return account_.step_cycles(); }

    // Running a plan's program (runtime/engine/chip_runner.hpp), the chip keeps
    // its own time. The plan gives every instruction a cycle; the chip starts
    // one at that cycle plus how late it runs, or when the data it waits for
    // arrives (`arrival_cycle`, 0 for none) if that is later. Both make the
    // chip later for the rest of its program: a receive whose data comes late,
    // and an op that takes longer than planned (attention over a longer KV
    // cache). The cycles since the chip's previous instruction ended are
    // charged: the plan's own idle gap as Stall, waiting beyond it for data as
    // Transfer. Returns the instruction's start cycle in the step.
    std::int64_t begin_instruction(std::int64_t planned_cycle, std::int64_t arrival_cycle = 0);
    // The begun instruction keeps the chip busy for `cycles` of `kind` (the
    // plan counted `planned_cycles`); charges them.
    void run_instruction(OpKind kind, std::int64_t cycles, std::int64_t planned_cycles);
    // When the step's last instruction ended. For a program whose
    // instructions do not overlap (every compiled plan) it equals step_cycles().
    std::int64_t step_end_cycle() const { return end_cycle_; }

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
    std::int64_t start_cycle_ = 0;  // of the instruction begun last
    std::int64_t end_cycle_ = 0;    // when the latest instruction ends
    std::int64_t late_cycles_ = 0;  // how far behind the plan's cycles the chip runs
};

}  // namespace lpu::chip
