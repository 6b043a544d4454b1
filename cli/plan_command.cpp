// `lpu plan show FILE`: what a compiled plan does on each chip (SRAM map,
// instruction counts, cycles per step) and the critical path of a step
// (plan/plan_summary.hpp), as text or JSON.
#include <cstdint>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "cli/commands.hpp"
#include "cli/plan_check_command.hpp"
#include "plan/chip_selection.hpp"
#include "plan/plan_io.hpp"
#include "plan/plan_summary.hpp"
#include "plan/plan_summary_json.hpp"
#include "plan/plan_summary_text.hpp"
#include "plan/retime.hpp"

namespace lpu::cli {
namespace {

struct PlanShowOptions {
    std::string path;
    std::int64_t position = 0;
    std::vector<topology::ChipId> chips;
    bool json = false;
};

void show_plan(const PlanShowOptions& options) {
    const plan::Plan loaded = plan::load_plan(options.path);
    const std::set<topology::ChipId> shown = plan::select_chips(loaded, options.chips);
    // The summary describes one concrete step: attention grows with the position.
    plan::PlanSummary summary = plan::summarise(plan::retime(loaded, options.position));
    // The step and its critical path stay those of the whole plan.
    std::erase_if(summary.chips, [&](const plan::ChipSummary& chip) { return !shown.contains(chip.chip); });
    if (options.json) {
        nlohmann::json out = plan::summary_json(summary);
        out["position"] = options.position;
        std::cout << json_text(out, 2) << "\n";
    } else {
        std::cout << "plan:   " << options.path << ", step at position " << options.position << "\n"
                  << plan::summary_text(summary);
    }
}

void add_show_command(CLI::App& plan_app) {
    auto options = std::make_shared<PlanShowOptions>();
    auto* show = plan_app.add_subcommand(
        "show", "Per chip: SRAM map, instruction counts, cycles per step; and the critical path of the step");
    show->add_option("file", options->path, "Plan file (.lpuplan) written by lpu compile")->required();
    show->add_option("--position", options->position, "Sequence position of the step (attention grows with it)")
        ->capture_default_str()
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
    show->add_option("--chips", options->chips, "Only these chips, e.g. 0,3,5 (default: every chip)")->delimiter(',');
    show->add_flag("--json", options->json, "Print JSON instead of text");
    show->footer("Example:\n  lpu plan show story.lpuplan --position 100 --chips 0,1");
    show->callback([options] { show_plan(*options); });
}

}  // namespace

void add_plan_command(CLI::App& app) {
    auto* plan_app = app.add_subcommand("plan", "Plan file tools: inspect compiled plans, check their timing");
    plan_app->require_subcommand(1);
    add_show_command(*plan_app);
    add_plan_check_command(*plan_app);
}

}  // namespace lpu::cli
