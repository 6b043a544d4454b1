#include "sim/fabric/clock_experiment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>

#include "base/error.hpp"
#include "base/log.hpp"
#include "sim/chip/link_model.hpp"
#include "sim/clock/clock_fabric.hpp"
#include "sim/clock/event_engine.hpp"
#include "sim/random.hpp"
#include "topology/degraded_topology.hpp"

namespace lpu::sim {
namespace {

// Labels of the experiment's random streams.
constexpr std::uint64_t link_stream = 10;
constexpr std::uint64_t crystal_stream = 20;
constexpr std::uint64_t oscillator_stream = 30;

// Exact percentiles of |skew|: small values (the usual case) in an array,
// the rest in a map.
class SkewHistogram {
public:
    void add(std::int64_t skew_cycles) {
        const std::int64_t value = skew_cycles < 0 ? -skew_cycles : skew_cycles;
        if (value < static_cast<std::int64_t>(small_.size())) ++small_[static_cast<std::size_t>(value)];
        else ++large_[value];
        ++count_;
        max_ = std::max(max_, value);
    }
    std::uint64_t count() const { return count_; }
    std::int64_t max() const { return max_; }
    // The smallest value with at least `fraction` of the samples at or below it.
    std::int64_t percentile(double fraction) const {
        if (count_ == 0) return 0;
        const auto needed = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
        std::uint64_t seen = 0;
        for (std::size_t value = 0; value < small_.size(); ++value) {
            seen += small_[value];
            if (seen >= needed) return static_cast<std::int64_t>(value);
        }
        for (const auto& [value, count] : large_) {
            seen += count;
            if (seen >= needed) return value;
        }
        return max_;
    }

private:
    std::vector<std::uint64_t> small_ = std::vector<std::uint64_t>(65'536, 0);
    std::map<std::int64_t, std::uint64_t> large_;
    std::uint64_t count_ = 0;
    std::int64_t max_ = 0;
};

// The part of x in [0, 1] where a + (b - a) x > limit: its start and length.
struct Span {
    double start = 0.0;
    double length = 0.0;
};

Span span_above(double a, double b, double limit) {
    if (a <= limit && b <= limit) return {};
    if (a > limit && b > limit) return {0.0, 1.0};
    const double crossing = (limit - a) / (b - a);
    return a > limit ? Span{0.0, crossing} : Span{crossing, 1.0 - crossing};
}

std::vector<OscillatorParams> make_oscillators(std::size_t chips, const ClockExperimentConfig& config) {
    require(config.crystal_ppm.empty() || config.crystal_ppm.size() == chips,
            "crystal_ppm lists " + std::to_string(config.crystal_ppm.size()) + " offsets for " +
                std::to_string(chips) + " chips");
    SplitMix64 crystals(stream_key(config.seed, crystal_stream));
    std::vector<OscillatorParams> oscillators(chips);
    for (std::size_t chip = 0; chip < chips; ++chip) {
        OscillatorParams& params = oscillators[chip];
        params.nominal_hz = config.spec.clock_hz;
        params.offset_ppm = config.crystal_ppm.empty()
                                ? crystals.uniform(-config.drift.crystal_ppm, config.drift.crystal_ppm)
                                : config.crystal_ppm[chip];
        params.wander_ppm_per_sqrt_s = config.drift.wander_ppm_per_sqrt_s;
        params.wander_step_cycles = std::max<std::int64_t>(1, config.spec.clock_hz / 10);
        params.jitter_ps = config.oscillator_jitter_ps;
        params.seed = stream_key(config.seed, oscillator_stream, chip);
    }
    return oscillators;
}

struct ChipState {
    std::int64_t previous_after = 0;   // skew after the previous round's correction
    std::int64_t before = 0;           // skew before this round's correction
    std::int64_t after = 0;
    std::int64_t first_hac = 0, first_cycle = 0;  // at the window's first round
    std::int64_t last_hac = 0, last_cycle = 0;
};

class Experiment {
public:
    Experiment(const topology::Topology& topology, const ClockExperimentConfig& config)
        : topology_(topology),
          config_(config),
          links_(link_timing_from_spec(config.spec), stream_key(config.seed, link_stream)),
          alignment_(config.alignment.value_or(
              derive_alignment_params(config.spec, links_.timing(), config.drift))),
          fabric_(topology, make_oscillators(topology.chip_count(), config), links_, alignment_),
          chips_(topology.chip_count()) {
        require(std::isfinite(config.duration_s) && config.duration_s > 0.0 && config.duration_s <= 1.0e6,
                "duration must be between 0 and 1e6 seconds, got " + std::to_string(config.duration_s));
        require(config.buffer_vectors >= 1 && config.buffer_vectors <= 1'000'000,
                "buffer_vectors must be between 1 and 1e6, got " + std::to_string(config.buffer_vectors));
        derive_schedule();
        if (config.link_down) prepare_link_down(*config.link_down);
    }

    ClockExperimentReport run() {
        const SpanningTree& tree = fabric_.tree();
        first_round_ = config_.compensate ? static_cast<std::int64_t>(tree.max_depth) + 3 : 0;
        const double period_s = static_cast<double>(alignment_.correction_period_cycles) /
                                static_cast<double>(config_.spec.clock_hz);
        // Rounds are counted on the root's crystal, which may run up to 0.1% fast:
        // enough rounds to cover the duration in true time.
        report_.rounds =
            std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(config_.duration_s * 1.001 / period_s)));
        require(report_.rounds <= 100'000'000, "duration / correction period gives " +
                                                   std::to_string(report_.rounds) + " rounds, more than 1e8");
        last_round_ = first_round_ + report_.rounds;

        if (config_.compensate) fabric_.calibrate_latencies();
        if (report_.link_down) {
            // The first round that starts at or after the time asked (rounds are
            // counted on the root's crystal, within 0.1% of nominal).
            report_.link_down->round =
                first_round_ + static_cast<std::int64_t>(std::ceil(config_.link_down->at_s / period_s));
            fabric_.take_links_down(topology_, dead_links_, report_.link_down->round, config_.heal);
        }
        EventEngine engine;
        fabric_.schedule_rounds(engine, last_round_ + 1, config_.compensate,
                                [this](const CorrectionRecord& record) { observe(record); });
        schedule_round_end(engine, 0);
        engine.run();

        finish();
        return report_;
    }

private:
    void derive_schedule() {
        const std::int64_t clock_hz = config_.spec.clock_hz;
        const LinkTiming& link = links_.timing();
        report_.chips = topology_.chip_count();
        report_.channels = topology_.channel_count();
        report_.tree_depth = fabric_.tree().max_depth;
        report_.alignment = alignment_;
        report_.hop_bound_cycles = hop_error_bound_cycles(alignment_, config_.spec, link, config_.drift);
        report_.skew_bound_cycles = report_.hop_bound_cycles * report_.tree_depth;
        report_.slack_cycles =
            config_.slack_cycles.value_or(static_cast<std::int64_t>(std::ceil(2.0 * report_.skew_bound_cycles)));
        require(report_.slack_cycles >= 0 && report_.slack_cycles <= 1'000'000'000,
                "slack must be between 0 and 1e9 cycles, got " + std::to_string(report_.slack_cycles));
        report_.exchange_period_cycles = config_.exchange_period_cycles.value_or(alignment_.epoch_cycles);
        require(report_.exchange_period_cycles >= 1,
                "exchange period must be >= 1 cycle, got " + std::to_string(report_.exchange_period_cycles));

        const std::int64_t worst_ps = link.latency_ps + links_.max_jitter_ps() + links_.vector_ps();
        const std::int64_t best_ps = link.latency_ps - links_.max_jitter_ps() + links_.vector_ps();
        report_.read_offset_cycles =
            static_cast<std::int64_t>(ceil_div(Int128{worst_ps} * clock_hz, ps_per_second)) + 1 + report_.slack_cycles;
        report_.overwrite_margin_cycles = config_.buffer_vectors * report_.exchange_period_cycles +
                                          nominal_cycles(best_ps, clock_hz) - 1 - report_.read_offset_cycles;
        require(report_.overwrite_margin_cycles > 0,
                "the traffic overwrites its own buffers even with perfect clocks: " +
                    std::to_string(config_.buffer_vectors) + " buffer vectors x " +
                    std::to_string(report_.exchange_period_cycles) + " cycles per exchange is not more than the " +
                    std::to_string(report_.read_offset_cycles) + "-cycle read offset (latency + jitter + slack)");

        // A DESKEW per epoch: the work of an epoch must fit even on a chip whose
        // crystal is 2P ppm off the root's, plus a cycle of rounding.
        report_.deskew_margin_cycles = static_cast<std::int64_t>(std::ceil(
                                           static_cast<double>(alignment_.epoch_cycles) * 2.0 *
                                           config_.drift.crystal_ppm * 1e-6)) +
                                       1;
    }

    // The links to take down, and the chips below them in the alignment tree.
    void prepare_link_down(const LinkDown& down) {
        require(config_.compensate, "a link can only go down under the alignment protocol (without --no-compensation): "
                                    "there is no alignment tree to heal without it");
        require(down.at_s < config_.duration_s, [&] {
            return "the link goes down at " + std::to_string(down.at_s) + " s, after the measured window of " +
                   std::to_string(config_.duration_s) + " s";
        });
        dead_links_ = topology::links_between(topology_, down.a, down.b);
        dead_channel_.assign(topology_.channel_count(), false);
        for (topology::LinkId link : dead_links_) {
            dead_channel_[topology::channel_id(link, topology::Direction::a_to_b)] = true;
            dead_channel_[topology::channel_id(link, topology::Direction::b_to_a)] = true;
        }
        // Behind: a dead link on the way up to the root (BFS order visits parents first).
        const SpanningTree& tree = fabric_.tree();
        behind_.assign(topology_.chip_count(), false);
        for (const topology::ChipId chip : tree.order) {
            if (chip == tree.root) continue;
            behind_[chip] = behind_[tree.parent[chip]] || dead_channel_[tree.up_channel[chip]];
        }
        tree_before_ = tree;
        LinkDownReport& report = report_.link_down.emplace();
        report.link = down;
        report.links = dead_links_.size();
        report.healed = config_.heal;
        report.chips_behind = static_cast<std::size_t>(std::count(behind_.begin(), behind_.end(), true));
    }

    void schedule_round_end(EventEngine& engine, std::int64_t round) {
        const SpanningTree& tree = fabric_.tree();
        // Every correction of the round has landed one level delay after the
        // deepest parent acted.
        const std::int64_t value =
            fabric_.round_value(tree.root, round) + (tree.max_depth + 1) * alignment_.level_delay_cycles;
        std::int64_t at_ps = fabric_.true_ps_at(tree.root, value);
        // Free-running counters may lag the root by more than that, and so may
        // those cut off by a link that went down: the round ends after the
        // last parent has acted, so it sees every chip's sample.
        if (!config_.compensate || (report_.link_down && !config_.heal)) {
            for (topology::ChipId chip = 0; chip < topology_.chip_count(); ++chip) {
                if (!tree.children[chip].empty())
                    at_ps = std::max(at_ps, fabric_.true_ps_at(chip, fabric_.round_value(chip, round)) + 1);
            }
        }
        engine.schedule_at(at_ps, [this, round](EventEngine& e) {
            end_round(round);
            if (round < last_round_) schedule_round_end(e, round + 1);
        });
    }

    void observe(const CorrectionRecord& record) {
        const std::int64_t root_value = fabric_.count_at(fabric_.tree().root, record.time_ps);
        ChipState& chip = chips_[record.chip];
        chip.before = record.value_before - root_value;
        chip.after = record.value_after - root_value;
        if (record.round < first_round_) return;
        if (report_.link_down && behind_[record.chip] && record.round >= report_.link_down->round) {
            std::int64_t& most = report_.link_down->max_skew_behind_cycles;
            most = std::max({most, std::abs(chip.before), std::abs(chip.after)});
        }
        if (record.round == first_round_) {
            chip.first_hac = record.value_after;
            chip.first_cycle = record.local_cycle;
        }
        chip.last_hac = record.value_after;
        chip.last_cycle = record.local_cycle;
        if (record.round > first_round_ || !config_.compensate) {
            histogram_.add(chip.before);
            histogram_.add(chip.after);
        }
    }

    void end_round(std::int64_t round) {
        const std::int64_t time_ps = fabric_.true_ps_at(fabric_.tree().root, fabric_.round_value(fabric_.tree().root, round));
        if (round == first_round_) {
            window_start_ps_ = config_.compensate ? time_ps : 0;
            report_.settle_s = static_cast<double>(window_start_ps_) / static_cast<double>(ps_per_second);
        }
        // Uncompensated counters all start equal at true time 0, so their first
        // interval runs from there; compensated ones start at the first round.
        if (round >= first_round_ && (round > first_round_ || !config_.compensate)) {
            check_interval(round, time_ps);
        }
        if (report_.link_down && round == report_.link_down->round) {
            report_.link_down->down_s =
                static_cast<double>(time_ps - window_start_ps_) / static_cast<double>(ps_per_second);
            violations_before_down_ = report_.late_transfers + report_.overwritten_transfers;
        }
        for (ChipState& chip : chips_) chip.previous_after = chip.after;
        previous_time_ps_ = time_ps;
        if (round % 1000 == 0) log::get("fabric")->debug("round {} of {} done", round, last_round_);
    }

    void check_interval(std::int64_t round, std::int64_t time_ps) {
        std::int64_t low = 0, high = 0, before_low = 0, before_high = 0;  // the root's skew is 0
        std::int64_t largest = 0;
        for (const ChipState& chip : chips_) {
            low = std::min({low, chip.previous_after, chip.before});
            high = std::max({high, chip.previous_after, chip.before});
            before_low = std::min(before_low, chip.before);
            before_high = std::max(before_high, chip.before);
            largest = std::max({largest, chip.before, -chip.before});
        }
        report_.max_pair_skew_cycles = std::max(report_.max_pair_skew_cycles, before_high - before_low);
        const double window_s = static_cast<double>(time_ps - window_start_ps_) / static_cast<double>(ps_per_second);
        report_.samples.push_back({round, window_s, largest, before_high - before_low});
        report_.measured_s = window_s;

        if (high - low <= std::min(report_.slack_cycles, report_.overwrite_margin_cycles)) return;
        const double interval_ps = static_cast<double>(time_ps - previous_time_ps_);
        const double transfers_per_interval =
            interval_ps * static_cast<double>(config_.spec.clock_hz) / static_cast<double>(ps_per_second) /
            static_cast<double>(report_.exchange_period_cycles);
        const bool links_down = report_.link_down && round > report_.link_down->round;
        for (topology::ChannelId channel = 0; channel < topology_.channel_count(); ++channel) {
            if (links_down && dead_channel_[channel]) continue;  // no traffic crosses a dead link
            const ChipState& sender = chips_[topology_.channel_source(channel)];
            const ChipState& receiver = chips_[topology_.channel_target(channel)];
            // Receiver ahead of sender: reads come early.
            const auto ahead_start = static_cast<double>(receiver.previous_after - sender.previous_after);
            const auto ahead_end = static_cast<double>(receiver.before - sender.before);
            record(span_above(ahead_start, ahead_end, static_cast<double>(report_.slack_cycles)),
                   transfers_per_interval, interval_ps, report_.late_transfers);
            record(span_above(-ahead_start, -ahead_end, static_cast<double>(report_.overwrite_margin_cycles)),
                   transfers_per_interval, interval_ps, report_.overwritten_transfers);
        }
    }

    void record(const Span& span, double transfers_per_interval, double interval_ps, std::uint64_t& counter) {
        if (span.length <= 0.0) return;
        const auto transfers = std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(std::llround(span.length * transfers_per_interval)));
        counter += transfers;
        const double at_s =
            (static_cast<double>(previous_time_ps_ - window_start_ps_) + span.start * interval_ps) /
            static_cast<double>(ps_per_second);
        if (!report_.first_violation_s || at_s < *report_.first_violation_s) report_.first_violation_s = at_s;
    }

    void finish() {
        report_.max_skew_cycles = histogram_.max();
        report_.p99_skew_cycles = histogram_.percentile(0.99);
        report_.skew_samples = histogram_.count();
        report_.violations = report_.late_transfers + report_.overwritten_transfers;
        // Stall per chip: each HAC epoch carries E - margin cycles of work; the
        // rest of the local cycles it spans are DESKEW stalls. The root counts
        // raw cycles.
        const double work_fraction = static_cast<double>(alignment_.epoch_cycles - report_.deskew_margin_cycles) /
                                     static_cast<double>(alignment_.epoch_cycles);
        double stall_sum = 1.0 - work_fraction;
        for (topology::ChipId chip = 0; chip < chips_.size(); ++chip) {
            if (chip == fabric_.tree().root) continue;
            const ChipState& state = chips_[chip];
            const auto cycles = static_cast<double>(state.last_cycle - state.first_cycle);
            const double counted = static_cast<double>(state.last_hac - state.first_hac);
            stall_sum += cycles > 0.0 ? std::max(0.0, 1.0 - work_fraction * counted / cycles) : 1.0 - work_fraction;
        }
        report_.deskew_stall_fraction = stall_sum / static_cast<double>(chips_.size());
        if (!config_.compensate) report_.skew_bound_cycles = 0.0;
        if (report_.link_down) finish_link_down(*report_.link_down);
    }

    void finish_link_down(LinkDownReport& down) const {
        const SpanningTree& after = fabric_.tree();
        down.tree_depth_after = after.max_depth;
        if (down.healed) {
            down.skew_bound_after_cycles = report_.hop_bound_cycles * after.max_depth;
            for (const topology::ChipId chip : after.order) {
                down.reparented_chips += chip != after.root && after.down_channel[chip] != tree_before_.down_channel[chip];
            }
        }
        down.violations_after = report_.violations - violations_before_down_;
    }

    const topology::Topology& topology_;
    const ClockExperimentConfig& config_;
    LinkModel links_;
    AlignmentParams alignment_;
    ClockFabric fabric_;
    std::vector<ChipState> chips_;
    SkewHistogram histogram_;
    ClockExperimentReport report_;
    std::int64_t first_round_ = 0;
    std::int64_t last_round_ = 0;
    std::int64_t window_start_ps_ = 0;
    std::int64_t previous_time_ps_ = 0;
    // A link going down: its links and channels, the chips behind it and the tree before.
    std::vector<topology::LinkId> dead_links_;
    std::vector<bool> dead_channel_;
    std::vector<bool> behind_;
    SpanningTree tree_before_;
    std::uint64_t violations_before_down_ = 0;
};

}  // namespace

ClockExperimentReport run_clock_experiment(const topology::Topology& topology, const ClockExperimentConfig& config) {
    return Experiment(topology, config).run();
}

}  // namespace lpu::sim
