#pragma once
// The alignment protocol of sim/clock/clock_fabric.hpp cut at its messages: what
// the sending end of a tree link computes, and what the receiving end does
// with what arrives. ClockFabric runs both ends in one process; ChipFabric
// (sim/fabric/chip_fabric.hpp) runs each chip's end in the process that hosts the
// chip, the messages travelling over the run's transport. Both call these
// functions, so the counters agree picosecond for picosecond however the
// fabric is cut across processes.
//
// A message is a ProtocolStamp: what the sender read (its send cycle for an
// echo, its HAC for a correction) and the true time it lands, which the
// sender knows from the link model (jitter is a pure function of stream and
// index, sim/chip/link_model.hpp).
#include <cstdint>

#include "sim/chip/link_model.hpp"
#include "sim/clock/aligned_counter.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/clock/oscillator.hpp"
#include "sim/time.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

// One chip's end of the protocol: its crystal, its HAC and what it learned
// from its parent.
struct ChipCounter {
    Oscillator oscillator;
    HardwareAlignedCounter hac;
    Int128 latency_q32 = 0;                  // to its parent, in the parent's cycles * 2^32
    std::int64_t last_correction_cycle = 0;  // local cycle of its last correction

    ChipCounter(const OscillatorParams& crystal, std::int64_t epoch_cycles)
        : oscillator(crystal), hac(epoch_cycles) {}
};

struct ProtocolStamp {
    std::int64_t value = 0;       // echo: the parent's send cycle; correction: the parent's HAC
    std::int64_t arrival_ps = 0;  // when it lands at the other end
};

// What a chip's HAC did in one round: read just before and just after its
// correction (equal without compensation).
struct CorrectionRecord {
    topology::ChipId chip = 0;
    std::int64_t round = 0;
    std::int64_t time_ps = 0;        // the last message's arrival
    std::int64_t local_cycle = 0;
    std::int64_t value_before = 0;   // HAC
    std::int64_t value_after = 0;
};

// The HAC value at which a chip at `depth` acts in round `round`: after its own
// correction of the round has landed.
std::int64_t round_value(const AlignmentParams& params, std::uint32_t depth, std::int64_t round);

// Latency calibration, echo `echo` over the link parent -> child (`down`) and back (`up`).
// The echoes go out every message spacing from the parent's cycle `from_cycle`:
// 0 when the fabric starts, later when a healed tree gives the child a new parent.
ProtocolStamp echo_out(ChipCounter& parent, const LinkModel& links, topology::ChannelId down,
                       const AlignmentParams& params, std::int32_t echo, std::int64_t from_cycle = 0);
// The child echoes on its next cycle edge; returns when the echo lands back at the parent.
std::int64_t echo_back_ps(ChipCounter& child, const LinkModel& links, topology::ChannelId up, std::int32_t echo,
                          std::int64_t arrival_ps);
// The parent's round trip of one echo, in its cycles.
std::int64_t echo_round_trip_cycles(ChipCounter& parent, const ProtocolStamp& out, std::int64_t back_ps);
// Half the mean round trip minus the child's mean turnaround (a quarter cycle: it is
// uniform in [0, 1) cycles), in the parent's cycles * 2^32.
Int128 latency_from_round_trips_q32(Int128 round_trip_cycles, std::int32_t echoes);

// Correction message `message` of round `round` from `parent` (whose HAC acts at
// `round_value`) over `down`.
ProtocolStamp correction_stamp(ChipCounter& parent, const LinkModel& links, topology::ChannelId down,
                               const AlignmentParams& params, std::int64_t round, std::int64_t round_value,
                               std::int32_t message);

// The child's side of one round: the messages of the burst in order, then the correction.
class CorrectionBurst {
public:
    void receive(ChipCounter& child, const ProtocolStamp& stamp);
    // Steps the child's HAC by the mean error (and from round 1 on trims its rate,
    // by gain 1 while the tree learns rates top-down, the first max_depth + 1
    // rounds, then 2^-rate_gain_shift); with `apply` false it only observes.
    CorrectionRecord finish(ChipCounter& child, topology::ChipId chip, std::int64_t round,
                            const AlignmentParams& params, std::uint32_t max_depth, bool apply) const;

private:
    Int128 error_sum_q32_ = 0;
    std::int64_t arrival_ps_ = 0;
    std::int64_t arrival_cycle_ = 0;
};

}  // namespace lpu::sim
