#pragma once
// The counters programs are scheduled against, per chip, seen in true time:
// what the lockstep checker needs. FreeRunningClocks counts raw oscillator
// cycles (no fabric alignment); ClockFabric (sim/clock/clock_fabric.hpp) counts
// aligned HAC cycles.
#include <cstdint>
#include <vector>

#include "sim/clock/oscillator.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

class ChipClocks {
public:
    virtual ~ChipClocks() = default;
    virtual std::size_t chip_count() const = 0;
    // The true time at which `chip`'s counter first reads `count`.
    virtual std::int64_t true_ps_at(topology::ChipId chip, std::int64_t count) = 0;
    // `chip`'s counter at true time `true_ps`.
    virtual std::int64_t count_at(topology::ChipId chip, std::int64_t true_ps) = 0;
};

class FreeRunningClocks : public ChipClocks {
public:
    explicit FreeRunningClocks(const std::vector<OscillatorParams>& oscillators);
    std::size_t chip_count() const override { return oscillators_.size(); }
    std::int64_t true_ps_at(topology::ChipId chip, std::int64_t count) override;
    std::int64_t count_at(topology::ChipId chip, std::int64_t true_ps) override;

private:
    Oscillator& oscillator(topology::ChipId chip);
    std::vector<Oscillator> oscillators_;
};

}  // namespace lpu::sim
