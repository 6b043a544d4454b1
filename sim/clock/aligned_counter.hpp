#pragma once
// The two counters of the published synchronisation design (hardware.md,
// "synchronisation"; patent US10824188B2), as functions of a chip's local
// cycle.
//
// HardwareAlignedCounter (HAC): free-running on the chip's own crystal and
// wrapping every epoch_cycles; the alignment protocol (sim/clock/clock_fabric.hpp)
// steps it (offset) and trims how fast it counts (rate) so that it tracks its
// parent's. It is kept as a fixed-point value (cycles * 2^32) that advances by
// rate_q32 per local cycle, like a fractional accumulator in hardware: the
// visible counter is the integer part, which advances by 0, 1 or 2 per cycle.
// Values here are unwrapped (they never wrap); epoch_phase gives the wrapped
// view, epoch_index which epoch it is.
//
// SoftwareAlignedCounter (SAC): the counter programs are scheduled against. It
// counts local cycles while the program issues and holds still while the
// program stalls at DESKEW (until the next HAC epoch boundary, after which the
// SAC equals the HAC) or RUNTIME_DESKEW (by the measured SAC - HAC difference
// when the SAC is ahead).
#include <cstdint>

#include "sim/time.hpp"

namespace lpu::sim {

class HardwareAlignedCounter {
public:
    // Starts at value 0 at local cycle 0, counting one per local cycle.
    explicit HardwareAlignedCounter(std::int64_t epoch_cycles);

    std::int64_t epoch_cycles() const { return epoch_cycles_; }
    std::int64_t rate_q32() const { return rate_q32_; }

    Int128 value_q32(std::int64_t local_cycle) const;
    std::int64_t value(std::int64_t local_cycle) const;
    std::int64_t epoch_index(std::int64_t local_cycle) const;
    std::int64_t epoch_phase(std::int64_t local_cycle) const;

    // The first local cycle at which value() >= target, assuming no further
    // adjustment; never before the last adjustment.
    std::int64_t first_cycle_reaching(std::int64_t target) const;

    // Offset correction: from `local_cycle` on, the value is `value_q32` there.
    void set_value(std::int64_t local_cycle, Int128 value_q32);
    // Rate trim: counts rate_q32 / 2^32 per local cycle from the last
    // adjustment on. Throws lpu::Error outside (0.5, 2).
    void set_rate(std::int64_t rate_q32);

private:
    std::int64_t epoch_cycles_;
    std::int64_t anchor_cycle_ = 0;
    Int128 anchor_value_q32_ = 0;
    std::int64_t rate_q32_ = q32_one;
};

class SoftwareAlignedCounter {
public:
    // The SAC reads `value` at `local_cycle` and counts from there.
    SoftwareAlignedCounter(std::int64_t local_cycle, std::int64_t value);

    // Valid at or after the last resume cycle.
    std::int64_t value(std::int64_t local_cycle) const;

    // DESKEW issued at `local_cycle`: stall until the HAC's next epoch boundary
    // (none when the HAC is exactly on one), then resume with SAC = HAC.
    // Returns the stall in local cycles.
    std::int64_t deskew(const HardwareAlignedCounter& hac, std::int64_t local_cycle);

    // RUNTIME_DESKEW issued at `local_cycle`: when the SAC is ahead of the HAC
    // by d cycles, stall d cycles (the SAC holds, the HAC catches up); when it
    // is behind, do not stall (a program cannot run faster). Returns the stall.
    std::int64_t runtime_deskew(const HardwareAlignedCounter& hac, std::int64_t local_cycle);

private:
    std::int64_t resume_cycle_;
    std::int64_t resume_value_;
};

}  // namespace lpu::sim
