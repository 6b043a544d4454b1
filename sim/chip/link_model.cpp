#include "sim/chip/link_model.hpp"

#include <cmath>
#include <string>

#include "base/error.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace lpu::sim {

LinkTiming link_timing_from_spec(const ChipSpec& spec) {
    LinkTiming timing;
    timing.latency_ps = nominal_ps(spec.link_latency_mean_cycles, spec.clock_hz);
    timing.bytes_per_second = spec.link_bytes_per_second();
    timing.jitter_stddev_ps = std::llround(spec.link_latency_stddev_cycles * static_cast<double>(ps_per_second) /
                                           static_cast<double>(spec.clock_hz));
    timing.vector_bytes = spec.vector_bytes;
    return timing;
}

void validate(const LinkTiming& timing) {
    require(timing.latency_ps >= 0 && timing.latency_ps <= ps_per_second,
            "link latency_ps must be between 0 and 1 s, got " + std::to_string(timing.latency_ps));
    require(timing.bytes_per_second >= 1'000'000 && timing.bytes_per_second <= 100'000'000'000'000,
            "link bytes_per_second must be between 1 MB/s and 100 TB/s, got " +
                std::to_string(timing.bytes_per_second));
    require(timing.vector_bytes >= 1 && timing.vector_bytes <= 1'000'000,
            "link vector_bytes must be between 1 and 1e6, got " + std::to_string(timing.vector_bytes));
    require(timing.jitter_stddev_ps >= 0 &&
                static_cast<double>(timing.jitter_stddev_ps) * normal_bound <= static_cast<double>(timing.latency_ps),
            "link jitter_stddev_ps must be >= 0 and at most latency_ps / 6 (so no message arrives before it "
            "is sent), got " + std::to_string(timing.jitter_stddev_ps));
}

std::int64_t vector_slots(std::int64_t bytes, std::int64_t vector_bytes) {
    if (bytes < 0) throw Error("a transfer cannot have " + std::to_string(bytes) + " bytes");
    if (vector_bytes < 1) throw Error("vector_bytes must be >= 1, got " + std::to_string(vector_bytes));
    return (bytes + vector_bytes - 1) / vector_bytes;
}

LinkModel::LinkModel(const LinkTiming& timing, std::uint64_t seed) : timing_(timing), seed_(seed) {
    validate(timing_);
    vector_ps_ = static_cast<std::int64_t>(
        ceil_div(Int128{timing_.vector_bytes} * ps_per_second, timing_.bytes_per_second));
    max_jitter_ps_ = std::llround(static_cast<double>(timing_.jitter_stddev_ps) * normal_bound);
}

std::int64_t LinkModel::serialisation_ps(std::int64_t bytes) const {
    return vector_slots(bytes, timing_.vector_bytes) * vector_ps_;
}

std::int64_t LinkModel::jitter_ps(std::uint64_t stream, std::uint64_t index) const {
    if (timing_.jitter_stddev_ps == 0) return 0;
    return std::llround(static_cast<double>(timing_.jitter_stddev_ps) * random_normal(stream_key(seed_, stream, index)));
}

std::int64_t LinkModel::transfer_ps(std::uint64_t stream, std::uint64_t index, std::int64_t bytes) const {
    return timing_.latency_ps + jitter_ps(stream, index) + serialisation_ps(bytes);
}

std::int64_t LinkModel::vector_arrival_ps(std::uint64_t stream, std::uint64_t index, std::int64_t vector) const {
    if (vector < 0) throw Error("vector index must be >= 0, got " + std::to_string(vector));
    return timing_.latency_ps + jitter_ps(stream, index) + (vector + 1) * vector_ps_;
}

}  // namespace lpu::sim
