#pragma once
// Link timing of the chip-to-chip fabric: a fixed latency, a bandwidth, data
// serialised in whole vectors (a transfer of B bytes occupies ceil(B / 320)
// vector slots of 320 bytes on the wire), and per-transfer latency jitter.
//
// Jitter is a pure function of (seed, stream, index): the n-th message of a
// stream (one per directed channel and purpose) always gets the same jitter,
// whatever order the simulator asks in. It is normal with the measured sigma
// and bounded to +-6 sigma (sim/random.hpp), so latency_ps +- max_jitter_ps()
// is a hard range that schedules may rely on.
#include <cstdint>

#include "sim/chip/chip_spec.hpp"

namespace lpu::sim {

struct LinkTiming {
    std::int64_t latency_ps = 722'223;                // 650 cycles at 900 MHz (a 722 ns hop)
    std::int64_t bytes_per_second = 12'195'121'920;   // ChipSpec::link_bytes_per_second()
    std::int64_t jitter_stddev_ps = 3'056;             // 2.75 cycles at 900 MHz
    std::int64_t vector_bytes = 320;
};

// The timing of a link of `spec`: its measured latency and jitter (in cycles,
// converted at the nominal clock), its payload rate and its vector size.
LinkTiming link_timing_from_spec(const ChipSpec& spec);

// Throws lpu::Error naming the first field out of range (including a jitter
// whose 6-sigma bound would exceed the latency).
void validate(const LinkTiming& timing);

// Vector slots that `bytes` occupy on the wire.
std::int64_t vector_slots(std::int64_t bytes, std::int64_t vector_bytes);

class LinkModel {
public:
    LinkModel(const LinkTiming& timing, std::uint64_t seed);

    const LinkTiming& timing() const { return timing_; }

    // Wire time of one vector slot, rounded up to a picosecond.
    std::int64_t vector_ps() const { return vector_ps_; }
    // Wire time of `bytes`, whole vectors.
    std::int64_t serialisation_ps(std::int64_t bytes) const;
    // The largest |jitter_ps|.
    std::int64_t max_jitter_ps() const { return max_jitter_ps_; }

    // The latency jitter of message `index` of `stream`.
    std::int64_t jitter_ps(std::uint64_t stream, std::uint64_t index) const;
    // From the start of sending to the arrival of the last vector.
    std::int64_t transfer_ps(std::uint64_t stream, std::uint64_t index, std::int64_t bytes) const;
    // From the start of sending to the arrival of vector `vector` (0-based).
    std::int64_t vector_arrival_ps(std::uint64_t stream, std::uint64_t index, std::int64_t vector) const;

private:
    LinkTiming timing_;
    std::uint64_t seed_;
    std::int64_t vector_ps_;
    std::int64_t max_jitter_ps_;
};

}  // namespace lpu::sim
