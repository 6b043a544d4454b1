// `lpu fabric --topology SPEC`: the clock experiment. Chips with drifting
// crystals, the alignment protocol (or none), lockstep neighbour exchanges;
// reports skew, lockstep violations and DESKEW stalls (sim/fabric/clock_experiment.hpp).
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "base/output_file.hpp"
#include "cli/commands.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/chip/link_model.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/fabric/clock_experiment.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {
namespace {

struct FabricOptions {
    std::string topology;
    std::string chip_spec = sim::default_chip_spec_name();
    double duration_s = 60.0;
    double ppm = 100.0;
    double wander = 0.01;
    bool no_compensation = false;
    std::optional<std::int64_t> slack_cycles;
    std::optional<std::int64_t> exchange_period_cycles;
    std::int64_t buffer_vectors = 2;
    std::optional<double> correction_period_s;
    std::optional<std::int64_t> epoch_cycles;
    std::optional<std::uint32_t> root;
    std::optional<std::int32_t> echoes;
    std::optional<std::int32_t> messages;
    std::uint64_t seed = 1;
    std::string csv_path;
    bool json = false;
};

sim::AlignmentParams alignment_for(const FabricOptions& options, const sim::ChipSpec& spec,
                                   const sim::DriftBudget& drift) {
    sim::AlignmentParams params = sim::derive_alignment_params(spec, sim::link_timing_from_spec(spec), drift);
    if (options.correction_period_s) {
        params.correction_period_cycles = std::llround(*options.correction_period_s * static_cast<double>(spec.clock_hz));
    }
    if (options.epoch_cycles) params.epoch_cycles = *options.epoch_cycles;
    if (options.root) params.root = *options.root;
    if (options.echoes) params.echo_count = *options.echoes;
    if (options.messages) params.correction_messages = *options.messages;
    sim::validate(params);
    return params;
}

nlohmann::json report_json(const FabricOptions& options, const std::string& name, const sim::ChipSpec& spec,
                           const sim::ClockExperimentReport& report) {
    const auto& alignment = report.alignment;
    nlohmann::json out = {
        {"topology", name},
        {"chips", report.chips},
        {"channels", report.channels},
        {"tree_depth", report.tree_depth},
        {"chip_spec", spec.name},
        {"clock_hz", spec.clock_hz},
        {"seed", options.seed},
        {"ppm", options.ppm},
        {"wander_ppm_per_sqrt_s", options.wander},
        {"compensation", !options.no_compensation},
        {"duration_s", options.duration_s},
        {"measured_s", report.measured_s},
        {"settle_s", report.settle_s},
        {"rounds", report.rounds},
        {"root", alignment.root},
        {"epoch_cycles", alignment.epoch_cycles},
        {"correction_period_cycles", alignment.correction_period_cycles},
        {"correction_period_s",
         static_cast<double>(alignment.correction_period_cycles) / static_cast<double>(spec.clock_hz)},
        {"echo_count", alignment.echo_count},
        {"correction_messages", alignment.correction_messages},
        {"slack_cycles", report.slack_cycles},
        {"exchange_period_cycles", report.exchange_period_cycles},
        {"buffer_vectors", options.buffer_vectors},
        {"read_offset_cycles", report.read_offset_cycles},
        {"overwrite_margin_cycles", report.overwrite_margin_cycles},
        {"deskew_margin_cycles", report.deskew_margin_cycles},
        {"hop_bound_cycles", report.hop_bound_cycles},
        {"skew_bound_cycles", nullptr},
        {"max_skew_cycles", report.max_skew_cycles},
        {"p99_skew_cycles", report.p99_skew_cycles},
        {"max_pair_skew_cycles", report.max_pair_skew_cycles},
        {"skew_samples", report.skew_samples},
        {"violations", report.violations},
        {"late_transfers", report.late_transfers},
        {"overwritten_transfers", report.overwritten_transfers},
        {"first_violation_s", nullptr},
        {"deskew_stall_fraction", report.deskew_stall_fraction},
    };
    if (!options.no_compensation) out["skew_bound_cycles"] = report.skew_bound_cycles;
    if (report.first_violation_s) out["first_violation_s"] = *report.first_violation_s;
    return out;
}

void write_csv(const std::string& path, const sim::ClockExperimentReport& report) {
    OutputFile file(path);
    std::ostream& out = file.stream();
    out << "round,time_s,max_skew_cycles,spread_cycles\n";
    char line[128];
    for (const auto& sample : report.samples) {
        std::snprintf(line, sizeof line, "%lld,%.9f,%lld,%lld\n", static_cast<long long>(sample.round), sample.time_s,
                      static_cast<long long>(sample.max_skew_cycles), static_cast<long long>(sample.spread_cycles));
        out << line;
    }
    file.commit();
}

void print_text(const nlohmann::json& out) {
    std::printf("topology:        %s (%zu chips, alignment tree depth %u)\n", out["topology"].get<std::string>().c_str(),
                out["chips"].get<std::size_t>(), out["tree_depth"].get<unsigned>());
    std::printf("clocks:          +-%g ppm, wander %g ppm/sqrt(s), %s\n", out["ppm"].get<double>(),
                out["wander_ppm_per_sqrt_s"].get<double>(),
                out["compensation"].get<bool>() ? "aligned (HAC over a BFS tree)" : "no compensation");
    std::printf("measured:        %.3f s (%lld rounds of %.3f s, after %.3f s of settling)\n",
                out["measured_s"].get<double>(), out["rounds"].get<long long>(), out["correction_period_s"].get<double>(),
                out["settle_s"].get<double>());
    std::printf("skew:            max %lld cycles, p99 %lld cycles, worst pair %lld cycles", out["max_skew_cycles"].get<long long>(),
                out["p99_skew_cycles"].get<long long>(), out["max_pair_skew_cycles"].get<long long>());
    if (!out["skew_bound_cycles"].is_null()) std::printf(" (bound %.1f)", out["skew_bound_cycles"].get<double>());
    std::printf("\nslack:           %lld cycles\n", out["slack_cycles"].get<long long>());
    std::printf("violations:      %llu", out["violations"].get<unsigned long long>());
    if (!out["first_violation_s"].is_null()) std::printf(" (first at %.6f s)", out["first_violation_s"].get<double>());
    std::printf("\ndeskew stalls:   %.4f%% of cycles\n", 100.0 * out["deskew_stall_fraction"].get<double>());
}

void run_fabric(const FabricOptions& options) {
    const topology::Topology topology = topology::topology_from_spec(options.topology);
    sim::ClockExperimentConfig config;
    config.spec = sim::load_chip_spec(options.chip_spec);
    config.duration_s = options.duration_s;
    config.drift = {options.ppm, options.wander};
    config.compensate = !options.no_compensation;
    config.alignment = alignment_for(options, config.spec, config.drift);
    config.slack_cycles = options.slack_cycles;
    config.exchange_period_cycles = options.exchange_period_cycles;
    config.buffer_vectors = options.buffer_vectors;
    config.seed = options.seed;
    const sim::ClockExperimentReport report = sim::run_clock_experiment(topology, config);

    if (!options.csv_path.empty()) write_csv(options.csv_path, report);
    const std::string name = topology.info().name.empty() ? options.topology : topology.info().name;
    const nlohmann::json out = report_json(options, name, config.spec, report);
    if (options.json) std::cout << json_text(out, 2) << "\n";
    else print_text(out);
}

}  // namespace

void add_fabric_command(CLI::App& app) {
    auto options = std::make_shared<FabricOptions>();
    auto* fabric = app.add_subcommand(
        "fabric", "Clock experiment: drifting crystals, HAC alignment over a spanning tree, lockstep neighbour "
                  "exchanges; reports skew, violations and deskew stalls");
    fabric->add_option("--topology", options->topology, std::string("Topology: ") + topology::topology_spec_help())
        ->required();
    fabric->add_option("--spec", options->chip_spec, "Chip spec preset or file")->capture_default_str();
    fabric->add_option("--duration", options->duration_s, "Simulated seconds to measure")
        ->capture_default_str()
        ->check(CLI::Range(1e-6, 1e6));
    fabric->add_option("--ppm", options->ppm, "Crystals uniform in +-PPM")->capture_default_str()->check(CLI::Range(0.0, 1000.0));
    fabric->add_option("--wander", options->wander, "Crystal random walk, ppm per sqrt(second)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10.0));
    fabric->add_flag("--no-compensation", options->no_compensation, "Free-running counters: no alignment protocol");
    fabric->add_option("--slack", options->slack_cycles,
                       "Cycles every read is scheduled after the worst-case arrival (default: twice the skew bound)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000'000}));
    fabric->add_option("--exchange-period", options->exchange_period_cycles,
                       "Cycles between exchanges with each neighbour (default: one HAC epoch)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000'000}));
    fabric->add_option("--buffer-vectors", options->buffer_vectors, "Receive ring depth per channel, in vectors")
        ->capture_default_str()
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
    fabric->add_option("--correction-period", options->correction_period_s,
                       "Seconds between alignment corrections (default derived from the drift budget)")
        ->check(CLI::Range(1e-4, 100.0));
    fabric->add_option("--epoch", options->epoch_cycles, "HAC epoch length in cycles (default derived)");
    fabric->add_option("--root", options->root, "Root chip of the alignment tree (BFS tree from it)");
    fabric->add_option("--echoes", options->echoes, "Echo messages per link for latency characterisation");
    fabric->add_option("--messages", options->messages, "Messages per correction burst");
    fabric->add_option("--seed", options->seed, "Seed of crystals and jitter")->capture_default_str();
    fabric->add_option("--csv", options->csv_path, "Write per-round skew (round,time_s,max_skew_cycles,spread_cycles)");
    fabric->add_flag("--json", options->json, "Print JSON instead of text");
    fabric->callback([options] { run_fabric(*options); });
}

}  // namespace lpu::cli
