// `lpu plan check FILE`: runs back-to-back decode steps of a compiled plan on
// the drifting, aligned fabric (sim/fabric/plan_lockstep.hpp) and reports whether
// every transfer arrives before it is read and is not overwritten.
// Exit status: 0 when in lockstep, 1 when any transfer is late or
// overwritten, 2 on bad input (unreadable plan, another system's plan).
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "cli/plan_check_command.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_lockstep.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {
namespace {

constexpr std::size_t violations_described = 5;

struct PlanCheckOptions {
    std::string path;
    std::string spec = sim::default_chip_spec_name();
    std::int64_t steps = 64;
    std::int64_t first_position = 0;
    std::uint64_t seed = 1;
    double crystal_ppm = 100.0;
    bool json = false;
};

void print_json(const PlanCheckOptions& options, const sim::PlanLockstepResult& result) {
    nlohmann::json violations = nlohmann::json::array();
    for (const sim::LockstepViolation& violation : result.report.violations)
        violations.push_back(sim::describe(violation));
    const nlohmann::json out = {
        {"plan", options.path},
        {"steps", options.steps},
        {"first_position", options.first_position},
        {"seed", options.seed},
        {"crystal_ppm", options.crystal_ppm},
        {"start_cycle", result.start_cycle},
        {"end_cycle", result.end_cycle},
        {"transfers", result.report.transfers},
        {"violations", violations},
        {"worst_margin_cycles", result.worst_margin_cycles},
        {"ok", result.report.ok()},
    };
    std::cout << json_text(out, 2) << "\n";
}

void print_text(const PlanCheckOptions& options, const sim::PlanLockstepResult& result) {
    const auto& violations = result.report.violations;
    std::cout << "plan:        " << options.path << ", " << options.steps << " steps from position "
              << options.first_position << "\n"
              << "fabric:      crystals +-" << options.crystal_ppm << " ppm, seed " << options.seed
              << ", aligned; steps run from cycle " << result.start_cycle << " to " << result.end_cycle << "\n"
              << "transfers:   " << result.report.transfers << " checked\n"
              << "worst margin: " << result.worst_margin_cycles << " cycles (last vector before its read)\n"
              << "violations:  " << violations.size() << "\n";
    const std::size_t shown = std::min(violations.size(), violations_described);
    for (std::size_t i = 0; i < shown; ++i) std::cout << "  " << sim::describe(violations[i]) << "\n";
    if (violations.size() > shown) std::cout << "  ... and " << violations.size() - shown << " more\n";
    std::cout << (result.report.ok() ? "in lockstep\n" : "NOT in lockstep\n");
}

void check_plan(const PlanCheckOptions& options) {
    const plan::Plan loaded = plan::load_plan(options.path);
    const sim::ChipSpec spec = sim::load_chip_spec(options.spec);
    const topology::Topology topology = topology::topology_from_spec(loaded.system.topology);
    // Only the system matters here: the model is the plan's own.
    plan::check_fingerprint(loaded, loaded.model,
                            compiler::system_fingerprint(topology, loaded.system.topology, spec));
    sim::PlanLockstepConfig config;
    config.drift.crystal_ppm = options.crystal_ppm;
    config.seed = options.seed;
    config.first_position = options.first_position;
    config.steps = options.steps;
    const sim::PlanLockstepResult result = sim::check_plan_lockstep(loaded, topology, spec, config);
    if (options.json) print_json(options, result);
    else print_text(options, result);
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
