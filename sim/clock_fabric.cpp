#include "sim/clock_fabric.hpp"

#include <string>
#include <utility>

#include "base/error.hpp"

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

ClockFabric::ClockFabric(const topology::Topology& topology, const std::vector<OscillatorParams>& oscillators,
                         const LinkModel& links, const AlignmentParams& params)
    : tree_(bfs_spanning_tree(topology, params.root)),
      oscillators_(oscillators.begin(), oscillators.end()),
      hacs_(topology.chip_count(), HardwareAlignedCounter(params.epoch_cycles)),
      links_(links),
      params_(params),
      latency_q32_(topology.chip_count(), 0),
      last_correction_cycle_(topology.chip_count(), 0) {
    validate(params_);
    require(oscillators_.size() == topology.chip_count(),
            "the fabric needs one oscillator per chip: " + std::to_string(topology.chip_count()) + " chips, " +
                std::to_string(oscillators_.size()) + " oscillators");
}

std::int64_t ClockFabric::true_ps_at(topology::ChipId chip, std::int64_t count) {
    return oscillators_.at(chip).edge_ps(hacs_.at(chip).first_cycle_reaching(count));
}

std::int64_t ClockFabric::count_at(topology::ChipId chip, std::int64_t true_ps) {
    return hacs_.at(chip).value(oscillators_.at(chip).cycle_at(true_ps));
}

void ClockFabric::calibrate_latencies() {
    for (const topology::ChipId child : tree_.order) {
        if (child == tree_.root) continue;
        Oscillator& parent = oscillators_[tree_.parent[child]];
        Oscillator& own = oscillators_[child];
        Int128 round_trips = 0;
        for (std::int32_t echo = 0; echo < params_.echo_count; ++echo) {
            const std::int64_t sent_cycle = params_.message_spacing_cycles * (echo + 1);
            const std::int64_t arrival_ps = parent.edge_ps(sent_cycle) +
                                            links_.transfer_ps(stream_of(tree_.down_channel[child], Purpose::echo_out),
                                                               static_cast<std::uint64_t>(echo), message_bytes);
            const std::int64_t echo_ps = own.edge_ps(own.cycle_at(arrival_ps) + 1);
            const std::int64_t back_ps = echo_ps + links_.transfer_ps(stream_of(tree_.up_channel[child], Purpose::echo_back),
                                                                      static_cast<std::uint64_t>(echo), message_bytes);
            round_trips += parent.cycle_at(back_ps) - sent_cycle;
        }
        // mean round trip / 2 - 1/4 cycle (the child's turnaround is uniform in [0, 1) cycles).
        latency_q32_[child] = round_trips * q32_one / (2 * params_.echo_count) - q32_one / 4;
    }
    calibrated_ = true;
}

std::int64_t ClockFabric::round_value(topology::ChipId chip, std::int64_t round) const {
    return params_.start_cycles + round * params_.correction_period_cycles +
           static_cast<std::int64_t>(tree_.depth.at(chip)) * params_.level_delay_cycles;
}

CorrectionRecord ClockFabric::correct(topology::ChipId child, std::int64_t round, bool apply) {
    const topology::ChipId parent_chip = tree_.parent[child];
    HardwareAlignedCounter& parent_hac = hacs_[parent_chip];
    HardwareAlignedCounter& hac = hacs_[child];
    Oscillator& parent = oscillators_[parent_chip];
    Oscillator& own = oscillators_[child];
    const std::uint64_t stream = stream_of(tree_.down_channel[child], Purpose::correction);

    Int128 error_sum_q32 = 0;
    std::int64_t arrival_ps = 0;
    std::int64_t arrival_cycle = 0;
    for (std::int32_t message = 0; message < params_.correction_messages; ++message) {
        const std::int64_t send_cycle = parent_hac.first_cycle_reaching(round_value(parent_chip, round) +
                                                                         message * params_.message_spacing_cycles);
        const std::int64_t stamp = parent_hac.value(send_cycle);
        const auto index = static_cast<std::uint64_t>(round * params_.correction_messages + message);
        arrival_ps = parent.edge_ps(send_cycle) + links_.transfer_ps(stream, index, message_bytes);
        arrival_cycle = own.cycle_at(arrival_ps);
        error_sum_q32 += Int128{stamp} * q32_one + latency_q32_[child] - hac.value_q32(arrival_cycle);
    }
    CorrectionRecord record{child, round, arrival_ps, arrival_cycle, hac.value(arrival_cycle), 0};
    if (apply) {
        const Int128 error_q32 = floor_div(error_sum_q32, params_.correction_messages);
        if (round > 0) {
            const int shift = round <= static_cast<std::int64_t>(tree_.max_depth) + 1 ? 0 : params_.rate_gain_shift;
            const std::int64_t elapsed = arrival_cycle - last_correction_cycle_[child];
            // Re-anchor first so that the new rate counts from now on.
            hac.set_value(arrival_cycle, hac.value_q32(arrival_cycle));
            hac.set_rate(hac.rate_q32() + static_cast<std::int64_t>(floor_div(error_q32, elapsed) >> shift));
        }
        hac.set_value(arrival_cycle, hac.value_q32(arrival_cycle) + error_q32);
        last_correction_cycle_[child] = arrival_cycle;
    }
    record.value_after = hac.value(arrival_cycle);
    // Rounds only move forward: older wander segments are no longer needed.
    own.forget_before(arrival_cycle - own.params().wander_step_cycles);
    return record;
}

void ClockFabric::schedule_act(EventEngine& engine, topology::ChipId chip, std::int64_t round) {
    // Small captures keep std::function from allocating per event.
    const std::uint64_t packed = (static_cast<std::uint64_t>(round) << 32) | chip;
    engine.schedule_at(true_ps_at(chip, round_value(chip, round)), [this, packed](EventEngine& e) {
        act(e, static_cast<topology::ChipId>(packed & 0xffffffffu), static_cast<std::int64_t>(packed >> 32));
    });
}

void ClockFabric::act(EventEngine& engine, topology::ChipId chip, std::int64_t round) {
    for (const topology::ChipId child : tree_.children[chip]) {
        const CorrectionRecord record = correct(child, round, protocol_.compensate);
        if (protocol_.observer) protocol_.observer(record);
        if (!tree_.children[child].empty()) schedule_act(engine, child, round);
    }
    if (chip == tree_.root) {
        Oscillator& root = oscillators_[chip];
        root.forget_before(hacs_[chip].first_cycle_reaching(round_value(chip, round)) -
                           root.params().wander_step_cycles);
        if (round + 1 < protocol_.rounds) schedule_act(engine, chip, round + 1);
    }
}

void ClockFabric::schedule_rounds(EventEngine& engine, std::int64_t rounds, bool compensate,
                                  std::function<void(const CorrectionRecord&)> observer) {
    require(rounds >= 1 && rounds < (std::int64_t{1} << 31),
            "alignment rounds must be between 1 and 2^31, got " + std::to_string(rounds));
    require(!compensate || calibrated_, "alignment corrections need calibrate_latencies() first");
    protocol_ = {rounds, compensate, std::move(observer)};
    schedule_act(engine, tree_.root, 0);
}

}  // namespace lpu::sim
