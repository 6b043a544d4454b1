// `lpu fabric --topology SPEC`: the clock experiment. Chips with drifting
// crystals, the alignment protocol (or none), lockstep neighbour exchanges;
// reports skew, lockstep violations and DESKEW stalls (sim/fabric/clock_experiment.hpp,
// printed by sim/fabric/clock_experiment_report.hpp).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/output_file.hpp"
#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/failure_flags.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/fabric/clock_experiment.hpp"
#include "sim/fabric/clock_experiment_report.hpp"
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
    sim::AlignmentOverrides alignment;
    std::uint64_t seed = 1;
    std::string csv_path;
    std::string link_down;  // --link-down A-B@SECONDS
    bool no_heal = false;
    bool json = false;
};

void run_fabric(const FabricOptions& options) {
    const topology::Topology topology = topology::topology_from_spec(options.topology);
    sim::ClockExperimentConfig config;
    config.spec = sim::load_chip_spec(options.chip_spec);
    config.duration_s = options.duration_s;
    config.drift = {options.ppm, options.wander};
    config.compensate = !options.no_compensation;
    config.alignment = sim::alignment_params_with(config.spec, config.drift, options.alignment);
    config.slack_cycles = options.slack_cycles;
    config.exchange_period_cycles = options.exchange_period_cycles;
    config.buffer_vectors = options.buffer_vectors;
    config.seed = options.seed;
    if (!options.link_down.empty()) config.link_down = parse_link_down_flag(options.link_down);
    require(!options.no_heal || config.link_down, "--no-heal needs --link-down: without a failure there is nothing to heal");
    config.heal = !options.no_heal;
    const sim::ClockExperimentReport report = sim::run_clock_experiment(topology, config);

    if (!options.csv_path.empty()) write_file(options.csv_path, sim::skew_samples_csv(report));
    const std::string name = topology.info().name.empty() ? options.topology : topology.info().name;
    std::cout << sim::clock_experiment_report(name, config, report, options.json);
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
    fabric->add_option("--correction-period", options->alignment.correction_period_s,
                       "Seconds between alignment corrections (default derived from the drift budget)")
        ->check(CLI::Range(1e-4, 100.0));
    fabric->add_option("--epoch", options->alignment.epoch_cycles, "HAC epoch length in cycles (default derived)");
    fabric->add_option("--root", options->alignment.root, "Root chip of the alignment tree (BFS tree from it)");
    fabric->add_option("--echoes", options->alignment.echo_count, "Echo messages per link for latency characterisation");
    fabric->add_option("--messages", options->alignment.correction_messages, "Messages per correction burst");
    fabric->add_option("--seed", options->seed, "Seed of crystals and jitter")->capture_default_str();
    fabric->add_option("--csv", options->csv_path, "Write per-round skew (round,time_s,max_skew_cycles,spread_cycles)");
    fabric->add_option("--link-down", options->link_down,
                       "Take every link between chips A and B down SECONDS into the measured window (A-B@SECONDS): "
                       "the alignment tree heals around it");
    fabric->add_flag("--no-heal", options->no_heal,
                     "With --link-down: keep the tree as it was, so the chips behind the link are corrected no more");
    fabric->add_flag("--json", options->json, "Print JSON instead of text");
    fabric->footer(
        "With --link-down the report adds what the failure did: the chips behind the link (cut off from the\n"
        "root by it), those given a new parent, the new tree's depth and skew bound, the largest skew behind\n"
        "the link afterwards and the violations after it.\n"
        "Examples:\n"
        "  lpu fabric --topology dragonfly:2 --duration 60\n"
        "  lpu fabric --topology torus:4x4 --ppm 50 --no-compensation --csv skew.csv\n"
        "  lpu fabric --topology ring:6 --duration 600 --link-down 0-1@10\n"
        "  lpu fabric --topology ring:6 --duration 600 --link-down 0-1@10 --no-heal");
    fabric->callback([options] { run_fabric(*options); });
}

}  // namespace lpu::cli
