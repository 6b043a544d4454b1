// `lpu plan check FILE`: runs back-to-back decode steps of a compiled plan on
// the drifting, aligned fabric (sim/fabric/plan_lockstep.hpp) and reports whether
// every transfer arrives before it is read and is not overwritten
// (sim/fabric/plan_lockstep_report.hpp).
// Exit status: 0 when in lockstep, 1 when any transfer is late or
// overwritten, 2 on bad input (unreadable plan, another system's plan).
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/plan_check_command.hpp"
#include "launch/plan_setup.hpp"
#include "sim/fabric/plan_lockstep_report.hpp"

namespace lpu::cli {
namespace {

struct PlanCheckOptions {
    std::string path;
    std::string spec = sim::default_chip_spec_name();
    std::int64_t steps = 64;
    std::int64_t first_position = 0;
    std::uint64_t seed = 1;
    double crystal_ppm = 100.0;
    bool json = false;
};

void check_plan(const PlanCheckOptions& options) {
    sim::PlanLockstepConfig config;
    config.drift.crystal_ppm = options.crystal_ppm;
    config.seed = options.seed;
    config.first_position = options.first_position;
    config.steps = options.steps;
    const sim::PlanLockstepResult result = launch::check_plan_file(options.path, options.spec, config);
    std::cout << sim::plan_lockstep_report(options.path, config, result, options.json);
    // Exit status 1: the findings are printed, not an error message.
    if (!result.report.ok()) throw CLI::RuntimeError(1);
}

}  // namespace

void add_plan_check_command(CLI::App& plan_app) {
    auto options = std::make_shared<PlanCheckOptions>();
    auto* check = plan_app.add_subcommand(
        "check", "Run decode steps on drifting, aligned clocks: is every transfer in time and not overwritten?");
    check->add_option("file", options->path, "Plan file (.lpuplan) written by lpu compile")->required();
    check->add_option("--spec", options->spec, "Chip spec the plan was compiled for: a preset name or a JSON file")
        ->capture_default_str();
    check->add_option("--steps", options->steps, "Consecutive decode steps, run back to back")
        ->capture_default_str()
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
    check->add_option("--position", options->first_position, "Sequence position of the first step")
        ->capture_default_str()
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
    check->add_option("--seed", options->seed, "Seed of the crystals, their wander and the link jitter")
        ->capture_default_str();
    check->add_option("--crystal-ppm", options->crystal_ppm, "Crystals drawn uniform in +-this many ppm")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1000.0));
    check->add_flag("--json", options->json, "Print JSON instead of text");
    check->footer("Exit status: 0 in lockstep, 1 when a transfer is late or overwritten, 2 on bad input.\n"
                  "Example:\n  lpu plan check story.lpuplan --steps 64 --seed 3");
    check->callback([options] { check_plan(*options); });
}

}  // namespace lpu::cli
