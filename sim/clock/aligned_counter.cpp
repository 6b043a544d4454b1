#include "sim/clock/aligned_counter.hpp"

#include <algorithm>
#include <string>

#include "base/error.hpp"

namespace lpu::sim {

HardwareAlignedCounter::HardwareAlignedCounter(std::int64_t epoch_cycles) : epoch_cycles_(epoch_cycles) {
    require(epoch_cycles >= 2, "HAC epoch_cycles must be >= 2, got " + std::to_string(epoch_cycles));
}

Int128 HardwareAlignedCounter::value_q32(std::int64_t local_cycle) const {
    return anchor_value_q32_ + Int128{local_cycle - anchor_cycle_} * rate_q32_;
}

std::int64_t HardwareAlignedCounter::value(std::int64_t local_cycle) const {
    return q32_floor(value_q32(local_cycle));
}

std::int64_t HardwareAlignedCounter::epoch_index(std::int64_t local_cycle) const {
    return static_cast<std::int64_t>(floor_div(value(local_cycle), epoch_cycles_));
}

std::int64_t HardwareAlignedCounter::epoch_phase(std::int64_t local_cycle) const {
    return value(local_cycle) - epoch_index(local_cycle) * epoch_cycles_;
}

std::int64_t HardwareAlignedCounter::first_cycle_reaching(std::int64_t target) const {
    const Int128 needed_q32 = Int128{target} * q32_one - anchor_value_q32_;
    return anchor_cycle_ + std::max<std::int64_t>(0, static_cast<std::int64_t>(ceil_div(needed_q32, rate_q32_)));
}

void HardwareAlignedCounter::set_value(std::int64_t local_cycle, Int128 value_q32) {
    anchor_cycle_ = local_cycle;
    anchor_value_q32_ = value_q32;
}

void HardwareAlignedCounter::set_rate(std::int64_t rate_q32) {
    if (rate_q32 <= q32_one / 2 || rate_q32 >= 2 * q32_one) throw Error("HAC rate must be between 0.5 and 2 counts per cycle, got " +
                std::to_string(static_cast<double>(rate_q32) / static_cast<double>(q32_one)));
    rate_q32_ = rate_q32;
}

SoftwareAlignedCounter::SoftwareAlignedCounter(std::int64_t local_cycle, std::int64_t value)
    : resume_cycle_(local_cycle), resume_value_(value) {}

std::int64_t SoftwareAlignedCounter::value(std::int64_t local_cycle) const {
    if (local_cycle < resume_cycle_) throw Error("SAC asked about cycle " + std::to_string(local_cycle) +
                                              ", before it last resumed (" + std::to_string(resume_cycle_) + ")");
    return resume_value_ + (local_cycle - resume_cycle_);
}

std::int64_t SoftwareAlignedCounter::deskew(const HardwareAlignedCounter& hac, std::int64_t local_cycle) {
    const std::int64_t phase = hac.epoch_phase(local_cycle);
    const std::int64_t resume =
        phase == 0 ? local_cycle
                   : hac.first_cycle_reaching((hac.epoch_index(local_cycle) + 1) * hac.epoch_cycles());
    resume_cycle_ = resume;
    resume_value_ = hac.value(resume);
    return resume - local_cycle;
}

std::int64_t SoftwareAlignedCounter::runtime_deskew(const HardwareAlignedCounter& hac, std::int64_t local_cycle) {
    const std::int64_t sac = value(local_cycle);
    const std::int64_t ahead = sac - hac.value(local_cycle);
    const std::int64_t stall = std::max<std::int64_t>(0, ahead);
    resume_cycle_ = local_cycle + stall;
    resume_value_ = sac;
    return stall;
}

}  // namespace lpu::sim
