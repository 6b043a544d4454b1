#pragma once
// ClockFabric: the alignment protocol of the RealScale-like fabric running
// over a topology (hardware.md "synchronisation", patent US10824188B2):
//
// 1. Latency characterisation by echo (calibrate_latencies): over every link
//    of the spanning tree the parent sends n messages stamped with its
//    counter, the child echoes each on its next cycle edge, and the parent
//    takes half the mean round trip, minus the child's mean turnaround of half
//    a cycle, as the one-way latency (in its own cycles, fixed point).
// 2. Hardware-aligned counters (HAC, sim/clock/aligned_counter.hpp), one per chip,
//    free-running on the chip's crystal; the root's is the reference.
// 3. Periodic corrections in rounds: in round k a chip at depth d, once its
//    HAC reaches start + k T + d * level_delay, sends each child a burst of m
//    messages carrying its HAC; the child compares each with its own HAC plus
//    the measured latency, and at the last message steps its HAC by the mean
//    error (offset) and trims its rate by gain * error / cycles since its last
//    correction (rate; gain 1 in the first max_depth + 1 rounds, while the
//    tree learns rates top-down, then 2^-rate_gain_shift). Round 0 sets only
//    the offset (the initial alignment).
// Without compensation the same rounds run as observations only: the HACs
// free-run from a common start (all chips at cycle 0 at true time 0).
// 4. A link may go down mid-run (take_links_down): no protocol message crosses
//    it from a given round on. Healing rebuilds the tree without it (the same
//    BFS from the same root over the links left), and each chip given a new
//    parent measures its latency to that parent by echo (step 1) before the
//    round's corrections. Without healing, the chip whose tree link went down
//    is never corrected again: its counter, and its subtree aligned to it,
//    run on their own crystals.
//
// Messages take link latency + one vector of serialisation + seeded jitter
// (sim/chip/link_model.hpp). Everything is integer and seeded: the same inputs give
// the same counters, picosecond for picosecond. Each end's arithmetic is in
// sim/clock/alignment_protocol.hpp, shared with ChipFabric, which runs the same
// protocol with the chips spread over processes.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sim/chip/link_model.hpp"
#include "sim/clock/aligned_counter.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/clock/alignment_protocol.hpp"
#include "sim/clock/chip_clocks.hpp"
#include "sim/clock/event_engine.hpp"
#include "sim/clock/oscillator.hpp"
#include "sim/clock/spanning_tree.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

class ClockFabric : public ChipClocks {
public:
    ClockFabric(const topology::Topology& topology, const std::vector<OscillatorParams>& oscillators,
                const LinkModel& links, const AlignmentParams& params);

    std::size_t chip_count() const override { return chips_.size(); }
    const SpanningTree& tree() const { return tree_; }
    const AlignmentParams& params() const { return params_; }
    Oscillator& oscillator(topology::ChipId chip) { return chips_.at(chip).oscillator; }
    const HardwareAlignedCounter& hac(topology::ChipId chip) const { return chips_.at(chip).hac; }

    // ChipClocks over the HACs, valid from each chip's last correction on
    // (earlier counts map to the moment of that correction).
    std::int64_t true_ps_at(topology::ChipId chip, std::int64_t count) override;
    std::int64_t count_at(topology::ChipId chip, std::int64_t true_ps) override;

    // Step 1 for every tree link. Latencies are in the parent's cycles, * 2^32.
    void calibrate_latencies();
    Int128 latency_estimate_q32(topology::ChipId chip) const { return chips_.at(chip).latency_q32; }

    // The HAC value at which `chip` acts in round `round`.
    std::int64_t round_value(topology::ChipId chip, std::int64_t round) const;

    // Schedules rounds 0 .. rounds-1 on `engine`, compensating or only
    // observing; `observer` sees every non-root chip once per round, in
    // round order. Compensation needs calibrate_latencies() first.
    void schedule_rounds(EventEngine& engine, std::int64_t rounds, bool compensate,
                         std::function<void(const CorrectionRecord&)> observer);

    // Step 4: `links` go down as round `round` starts (at the root's act).
    // Without `heal`, the observer still sees each chip cut off once per round,
    // its counter read uncorrected. Throws lpu::Error when healing cannot reach
    // every chip. At most one failure per fabric, set before schedule_rounds.
    void take_links_down(const topology::Topology& topology, std::vector<topology::LinkId> links,
                         std::int64_t round, bool heal);
    // The chips whose counters are corrected no more (never, with healing).
    bool cut_off(topology::ChipId chip) const { return !cut_off_.empty() && cut_off_.at(chip); }

private:
    struct Protocol {
        std::int64_t rounds = 0;
        bool compensate = false;
        std::function<void(const CorrectionRecord&)> observer;
    };

    struct LinkFailure {
        std::int64_t round = 0;
        std::vector<topology::LinkId> links;
        std::optional<SpanningTree> healed;  // with healing: the tree without the links
    };

    // Step 1 for the tree link above `child`, the echoes from its parent's cycle `from_cycle`.
    void calibrate_latency(topology::ChipId child, std::int64_t from_cycle);
    // Step 4 as the root starts round failure_->round, at true time `now_ps`.
    void apply_link_failure(std::int64_t now_ps);
    // One round of step 3 for `child`, from its parent.
    CorrectionRecord correct(topology::ChipId child, std::int64_t round, bool apply);
    // What a cut-off chip's counter reads at `now_ps`, uncorrected.
    CorrectionRecord uncorrected(topology::ChipId chip, std::int64_t round, std::int64_t now_ps);
    void act(EventEngine& engine, topology::ChipId chip, std::int64_t round);
    void schedule_act(EventEngine& engine, topology::ChipId chip, std::int64_t round);

    SpanningTree tree_;
    std::vector<ChipCounter> chips_;
    LinkModel links_;
    AlignmentParams params_;
    bool calibrated_ = false;
    Protocol protocol_;
    std::optional<LinkFailure> failure_;
    std::vector<bool> cut_off_;  // by chip, once a failure without healing applies
    std::int64_t healed_round_ = -1;  // the round a healed tree took over in
};

}  // namespace lpu::sim
