#include "sim/clock/clock_fabric.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "base/error.hpp"

namespace lpu::sim {

ClockFabric::ClockFabric(const topology::Topology& topology, const std::vector<OscillatorParams>& oscillators,
                         const LinkModel& links, const AlignmentParams& params)
    : tree_(bfs_spanning_tree(topology, params.root)), links_(links), params_(params) {
    validate(params_);
    invariant(oscillators.size() == topology.chip_count(),
              "the fabric needs one oscillator per chip: " + std::to_string(topology.chip_count()) + " chips, " +
                  std::to_string(oscillators.size()) + " oscillators");
    chips_.reserve(oscillators.size());
    for (const OscillatorParams& crystal : oscillators) chips_.emplace_back(crystal, params_.epoch_cycles);
}

std::int64_t ClockFabric::true_ps_at(topology::ChipId chip, std::int64_t count) {
    ChipCounter& counter = chips_.at(chip);
    return counter.oscillator.edge_ps(counter.hac.first_cycle_reaching(count));
}

std::int64_t ClockFabric::count_at(topology::ChipId chip, std::int64_t true_ps) {
    ChipCounter& counter = chips_.at(chip);
    return counter.hac.value(counter.oscillator.cycle_at(true_ps));
}

void ClockFabric::calibrate_latency(topology::ChipId child, std::int64_t from_cycle) {
    ChipCounter& parent = chips_[tree_.parent[child]];
    ChipCounter& own = chips_[child];
    Int128 round_trips = 0;
    for (std::int32_t echo = 0; echo < params_.echo_count; ++echo) {
        const ProtocolStamp out = echo_out(parent, links_, tree_.down_channel[child], params_, echo, from_cycle);
        const std::int64_t back_ps = echo_back_ps(own, links_, tree_.up_channel[child], echo, out.arrival_ps);
        round_trips += echo_round_trip_cycles(parent, out, back_ps);
    }
    own.latency_q32 = latency_from_round_trips_q32(round_trips, params_.echo_count);
}

void ClockFabric::calibrate_latencies() {
    for (const topology::ChipId child : tree_.order) {
        if (child != tree_.root) calibrate_latency(child, 0);
    }
    calibrated_ = true;
}

void ClockFabric::take_links_down(const topology::Topology& topology, std::vector<topology::LinkId> links,
                                  std::int64_t round, bool heal) {
    invariant(!failure_, "a clock fabric takes links down once");
    failure_ = LinkFailure{round, std::move(links), std::nullopt};
    if (heal) failure_->healed = bfs_spanning_tree(topology, tree_.root, failure_->links);
}

void ClockFabric::apply_link_failure(std::int64_t now_ps) {
    LinkFailure failure = std::move(*failure_);
    failure_.reset();
    if (!failure.healed) {
        cut_off_.assign(chips_.size(), false);
        for (const topology::ChipId chip : tree_.order) {
            const topology::LinkId up = topology::channel_link(tree_.up_channel[chip]);
            cut_off_[chip] = chip != tree_.root &&
                             std::find(failure.links.begin(), failure.links.end(), up) != failure.links.end();
        }
        return;
    }
    healed_round_ = failure.round;
    const SpanningTree before = std::exchange(tree_, std::move(*failure.healed));
    for (const topology::ChipId chip : tree_.order) {
        if (chip == tree_.root || tree_.down_channel[chip] == before.down_channel[chip]) continue;
        const topology::ChipId parent = tree_.parent[chip];
        calibrate_latency(chip, chips_[parent].oscillator.cycle_at(now_ps));
    }
}

std::int64_t ClockFabric::round_value(topology::ChipId chip, std::int64_t round) const {
    return sim::round_value(params_, tree_.depth.at(chip), round);
}

CorrectionRecord ClockFabric::correct(topology::ChipId child, std::int64_t round, bool apply) {
    const topology::ChipId parent_chip = tree_.parent[child];
    ChipCounter& parent = chips_[parent_chip];
    ChipCounter& own = chips_[child];
    const std::int64_t value = round_value(parent_chip, round);
    CorrectionBurst burst;
    for (std::int32_t message = 0; message < params_.correction_messages; ++message) {
        burst.receive(own, correction_stamp(parent, links_, tree_.down_channel[child], params_, round, value, message));
    }
    return burst.finish(own, child, round, params_, tree_.max_depth, apply);
}

CorrectionRecord ClockFabric::uncorrected(topology::ChipId chip, std::int64_t round, std::int64_t now_ps) {
    Oscillator& crystal = chips_[chip].oscillator;
    const std::int64_t cycle = crystal.cycle_at(now_ps);
    const std::int64_t value = chips_[chip].hac.value(cycle);
    crystal.forget_before(cycle - crystal.params().wander_step_cycles);
    return {chip, round, now_ps, cycle, value, value};
}

void ClockFabric::schedule_act(EventEngine& engine, topology::ChipId chip, std::int64_t round) {
    std::int64_t at_ps = true_ps_at(chip, round_value(chip, round));
    // Observing only, no correction reins a counter in: one free-running ahead
    // of its parent's by more than a level delay reaches its round value
    // before the parent has acted. Nothing it received changes what it sends
    // (its stamps are timed by its own counter, correction_stamp), so it acts
    // as soon as the parent has. A compensated counter never gets there: a
    // round value in the past is then an error, as the engine says.
    // A counter cut off by a link that went down drifts the same way, and so
    // do the acts of the chips below it, which follow it. In the round a
    // healed tree takes over, a chip's depth (and so the round value it acts
    // at) may change after its counter was aligned for the old one: it then
    // acts as soon as its new parent has, as its stamps allow.
    const bool failed_without_healing = !cut_off_.empty();
    if (!protocol_.compensate || failed_without_healing || round == healed_round_) {
        at_ps = std::max(at_ps, engine.now_ps());
    }
    // Small captures keep std::function from allocating per event.
    const std::uint64_t packed = (static_cast<std::uint64_t>(round) << 32) | chip;
    engine.schedule_at(at_ps, [this, packed](EventEngine& e) {
        act(e, static_cast<topology::ChipId>(packed & 0xffffffffu), static_cast<std::int64_t>(packed >> 32));
    });
}

void ClockFabric::act(EventEngine& engine, topology::ChipId chip, std::int64_t round) {
    if (chip == tree_.root && failure_ && round >= failure_->round) apply_link_failure(engine.now_ps());
    for (const topology::ChipId child : tree_.children[chip]) {
        const CorrectionRecord record =
            cut_off(child) ? uncorrected(child, round, engine.now_ps()) : correct(child, round, protocol_.compensate);
        if (protocol_.observer) protocol_.observer(record);
        if (!tree_.children[child].empty()) schedule_act(engine, child, round);
    }
    if (chip == tree_.root) {
        ChipCounter& root = chips_[chip];
        root.oscillator.forget_before(root.hac.first_cycle_reaching(round_value(chip, round)) -
                                      root.oscillator.params().wander_step_cycles);
        if (round + 1 < protocol_.rounds) schedule_act(engine, chip, round + 1);
    }
}

void ClockFabric::schedule_rounds(EventEngine& engine, std::int64_t rounds, bool compensate,
                                  std::function<void(const CorrectionRecord&)> observer) {
    require(rounds >= 1 && rounds < (std::int64_t{1} << 31),
            "alignment rounds must be between 1 and 2^31, got " + std::to_string(rounds));
    invariant(!compensate || calibrated_, "alignment corrections need calibrate_latencies() first");
    protocol_ = {rounds, compensate, std::move(observer)};
    schedule_act(engine, tree_.root, 0);
}

}  // namespace lpu::sim
