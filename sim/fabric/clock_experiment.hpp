#pragma once
// The clock experiment behind `lpu fabric`: chips with drifting crystals, the
// alignment protocol (or none), and a lockstep traffic pattern, over a long
// stretch of simulated time.
//
// Traffic: every chip sends one vector to each topology neighbour every
// exchange_period cycles of its aligned counter (SAC, kept on the HAC by a
// DESKEW every epoch), into a ring of buffer_vectors vectors per channel; the
// receiver reads it read_offset cycles after the send cycle, where
//   read_offset = ceil((latency + max jitter + one vector) / nominal period) + 1 + slack
// so that with perfectly aligned counters every vector arrives `slack` cycles
// early even at its worst jitter. A transfer is then late exactly when the
// receiver's counter is more than `slack` cycles ahead of the sender's, and
// overwritten when the sender is more than overwrite_margin cycles ahead
// (the vector sent buffer_vectors exchanges later lands, at its earliest,
// before the read).
//
// Cost: nothing is simulated per cycle or per transfer. Counters are piecewise
// linear in true time, so the experiment simulates the correction rounds (one
// event per non-leaf chip per round, one correction per chip per round) and
// samples each chip's skew to the root just before its correction (the worst
// point: drift accumulates until then) and just after (the best). Between two
// rounds skew is linear, so violations are found, timed and counted on the
// interpolated skew of each channel's two ends, and channels are only looked
// at in a round whose skew spread could violate at all.
//
// A link may go down mid-window (ClockExperimentConfig::link_down): from the
// first correction round at or after that time no protocol message and no
// traffic crosses it (sim/clock/clock_fabric.hpp, step 4). With healing the
// alignment tree is rebuilt around it; without, the chips below it in the
// tree run on their own crystals, and the report shows how far they drift
// (max_skew_behind_cycles) and what that does to the traffic.
//
// Compensated runs first let the alignment converge for max_depth + 3 rounds
// (a system trains its fabric before it runs programs); `duration` counts from
// there. Uncompensated runs count from true time 0, where all counters agree.
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/chip/chip_spec.hpp"
#include "sim/clock/alignment_params.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

// Every link between chips a and b goes down `at_s` seconds into the measured window.
struct LinkDown {
    topology::ChipId a = 0;
    topology::ChipId b = 0;
    double at_s = 0.0;
};

struct ClockExperimentConfig {
    ChipSpec spec;
    double duration_s = 60.0;
    DriftBudget drift;
    // Per-chip static offsets in ppm; empty: drawn uniform in +-drift.crystal_ppm.
    std::vector<double> crystal_ppm;
    // Per-edge jitter: a few ps against a 1,111 ps period moves no counter, so it
    // is off by default (it costs a hash per edge).
    double oscillator_jitter_ps = 0.0;
    bool compensate = true;
    // Empty: derive_alignment_params(spec, link, drift).
    std::optional<AlignmentParams> alignment;
    // Empty: twice the derived skew bound (two chips each within it of the root).
    std::optional<std::int64_t> slack_cycles;
    // Empty: one exchange per HAC epoch.
    std::optional<std::int64_t> exchange_period_cycles;
    std::int64_t buffer_vectors = 2;
    std::uint64_t seed = 1;
    std::optional<LinkDown> link_down;  // needs compensation (there is no tree to heal without it)
    bool heal = true;
};

// One row per round of the measured window (the CSV of `lpu fabric`).
struct SkewSample {
    std::int64_t round = 0;
    double time_s = 0.0;                 // since the window started
    std::int64_t max_skew_cycles = 0;    // largest |HAC - root HAC| before correction
    std::int64_t spread_cycles = 0;      // largest minus smallest HAC, before correction
};

// What a link going down did (ClockExperimentConfig::link_down).
struct LinkDownReport {
    LinkDown link;                      // as asked
    std::size_t links = 0;              // links between the two chips, all taken down
    std::int64_t round = 0;             // the first round without them
    double down_s = 0.0;                // when that round started, since the window started
    bool healed = false;
    std::size_t chips_behind = 0;       // below the link in the alignment tree it cut
    std::size_t reparented_chips = 0;   // healed: chips that were given a new parent
    std::uint32_t tree_depth_after = 0;
    double skew_bound_after_cycles = 0.0;      // healed: the new depth x the hop bound
    std::int64_t max_skew_behind_cycles = 0;   // |HAC - root HAC| of the chips behind, from the round on
    std::uint64_t violations_after = 0;        // transfers late or overwritten from the round on
};

struct ClockExperimentReport {
    // What ran.
    std::size_t chips = 0;
    std::size_t channels = 0;
    std::uint32_t tree_depth = 0;
    AlignmentParams alignment;
    std::int64_t slack_cycles = 0;
    std::int64_t exchange_period_cycles = 0;
    std::int64_t read_offset_cycles = 0;
    std::int64_t overwrite_margin_cycles = 0;
    std::int64_t deskew_margin_cycles = 0;
    double hop_bound_cycles = 0.0;
    double skew_bound_cycles = 0.0;      // tree_depth * hop bound (compensated runs)
    double settle_s = 0.0;
    double measured_s = 0.0;             // the window actually measured (whole rounds)
    std::int64_t rounds = 0;             // measured rounds
    // What happened.
    std::int64_t max_skew_cycles = 0;        // over chips and samples, |HAC - root HAC|
    std::int64_t p99_skew_cycles = 0;
    std::int64_t max_pair_skew_cycles = 0;   // largest spread between any two chips
    std::uint64_t skew_samples = 0;
    std::uint64_t violations = 0;            // transfers late or overwritten
    std::uint64_t late_transfers = 0;
    std::uint64_t overwritten_transfers = 0;
    std::optional<double> first_violation_s; // since the window started
    double deskew_stall_fraction = 0.0;      // mean over chips
    std::vector<SkewSample> samples;
    std::optional<LinkDownReport> link_down;
};

ClockExperimentReport run_clock_experiment(const topology::Topology& topology, const ClockExperimentConfig& config);

}  // namespace lpu::sim
