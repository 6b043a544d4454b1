#include "sim/clock/alignment_protocol.hpp"

namespace lpu::sim {
namespace {

// Jitter streams: one per directed channel and purpose.
enum class Purpose : std::uint64_t { echo_out = 0, echo_back = 1, correction = 2 };

std::uint64_t stream_of(topology::ChannelId channel, Purpose purpose) {
    return std::uint64_t{channel} * 4 + static_cast<std::uint64_t>(purpose);
}

// Protocol messages are one vector each.
constexpr std::int64_t message_bytes = 1;

}  // namespace

std::int64_t round_value(const AlignmentParams& params, std::uint32_t depth, std::int64_t round) {
    return params.start_cycles + round * params.correction_period_cycles +
           static_cast<std::int64_t>(depth) * params.level_delay_cycles;
}

ProtocolStamp echo_out(ChipCounter& parent, const LinkModel& links, topology::ChannelId down,
                       const AlignmentParams& params, std::int32_t echo, std::int64_t from_cycle) {
    const std::int64_t sent_cycle = from_cycle + params.message_spacing_cycles * (echo + 1);
    return {sent_cycle, parent.oscillator.edge_ps(sent_cycle) +
                            links.transfer_ps(stream_of(down, Purpose::echo_out), static_cast<std::uint64_t>(echo),
                                              message_bytes)};
}

std::int64_t echo_back_ps(ChipCounter& child, const LinkModel& links, topology::ChannelId up, std::int32_t echo,
                          std::int64_t arrival_ps) {
    Oscillator& own = child.oscillator;
    const std::int64_t echo_ps = own.edge_ps(own.cycle_at(arrival_ps) + 1);
    return echo_ps + links.transfer_ps(stream_of(up, Purpose::echo_back), static_cast<std::uint64_t>(echo), message_bytes);
}

std::int64_t echo_round_trip_cycles(ChipCounter& parent, const ProtocolStamp& out, std::int64_t back_ps) {
    return parent.oscillator.cycle_at(back_ps) - out.value;
}

Int128 latency_from_round_trips_q32(Int128 round_trip_cycles, std::int32_t echoes) {
    return round_trip_cycles * q32_one / (2 * echoes) - q32_one / 4;
}

ProtocolStamp correction_stamp(ChipCounter& parent, const LinkModel& links, topology::ChannelId down,
                               const AlignmentParams& params, std::int64_t round, std::int64_t round_value,
                               std::int32_t message) {
    const std::int64_t send_cycle =
        parent.hac.first_cycle_reaching(round_value + message * params.message_spacing_cycles);
    const auto index = static_cast<std::uint64_t>(round * params.correction_messages + message);
    return {parent.hac.value(send_cycle), parent.oscillator.edge_ps(send_cycle) +
                                              links.transfer_ps(stream_of(down, Purpose::correction), index,
                                                                message_bytes)};
}

void CorrectionBurst::receive(ChipCounter& child, const ProtocolStamp& stamp) {
    arrival_ps_ = stamp.arrival_ps;
    arrival_cycle_ = child.oscillator.cycle_at(stamp.arrival_ps);
    error_sum_q32_ += Int128{stamp.value} * q32_one + child.latency_q32 - child.hac.value_q32(arrival_cycle_);
}

CorrectionRecord CorrectionBurst::finish(ChipCounter& child, topology::ChipId chip, std::int64_t round,
                                         const AlignmentParams& params, std::uint32_t max_depth, bool apply) const {
    HardwareAlignedCounter& hac = child.hac;
    CorrectionRecord record{chip, round, arrival_ps_, arrival_cycle_, hac.value(arrival_cycle_), 0};
    if (apply) {
        const Int128 error_q32 = floor_div(error_sum_q32_, params.correction_messages);
        if (round > 0) {
            const int shift = round <= static_cast<std::int64_t>(max_depth) + 1 ? 0 : params.rate_gain_shift;
            const std::int64_t elapsed = arrival_cycle_ - child.last_correction_cycle;
            // Re-anchor first so that the new rate counts from now on.
            hac.set_value(arrival_cycle_, hac.value_q32(arrival_cycle_));
            hac.set_rate(hac.rate_q32() + static_cast<std::int64_t>(floor_div(error_q32, elapsed) >> shift));
        }
        hac.set_value(arrival_cycle_, hac.value_q32(arrival_cycle_) + error_q32);
        child.last_correction_cycle = arrival_cycle_;
    }
    record.value_after = hac.value(arrival_cycle_);
    // Rounds only move forward: older wander segments are no longer needed.
    child.oscillator.forget_before(arrival_cycle_ - child.oscillator.params().wander_step_cycles);
    return record;
}

}  // namespace lpu::sim
