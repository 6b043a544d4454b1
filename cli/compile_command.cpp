// `lpu compile`: compile a model for a system into a plan file (.lpuplan).
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/system_flags.hpp"
#include "plan/plan_io.hpp"
#include "plan/retime.hpp"

namespace lpu::cli {
namespace {

struct CompileCommandOptions {
    std::string model_path;
    std::string output_path;
    launch::SystemOptions system;
};

void compile(const CompileCommandOptions& options) {
    const auto file = model::open_model(options.model_path);
    const launch::PreparedPlan prepared = launch::prepare_plan(*file, options.system);
    plan::save_plan(prepared.plan, options.output_path);
    const auto& grid = prepared.plan.grid;
    const std::int64_t cycles = plan::step_end_cycle(plan::retime(prepared.plan, 0));
    std::printf("%s: %s on %s, tp %u x pp %u (%zu chips), %lld cycles per token at position 0 (%.2f us)\n",
                options.output_path.c_str(), prepared.plan.model.description.c_str(),
                prepared.plan.system.topology.c_str(), grid.tp, grid.pp, prepared.plan.chips.size(),
                static_cast<long long>(cycles), static_cast<double>(cycles) / prepared.spec.clock_hz * 1e6);
}

}  // namespace

void add_compile_command(CLI::App& app) {
    auto options = std::make_shared<CompileCommandOptions>();
    auto* command = app.add_subcommand("compile", "Compile a model for a system of emulated LPUs into a plan file");
    command->add_option("-m,--model", options->model_path, "Model file: GGUF or llama2.c checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("-o,--output", options->output_path, "Plan file to write (.lpuplan)")->required();
    add_chip_options(*command, options->system);
    add_partition_options(*command, options->system);
    command->footer(
        "Example:\n  lpu compile --model ../shared/models/stories260K.gguf --tp 2 --pp 2 -o story.lpuplan\n"
        "  lpu run --model ../shared/models/stories260K.gguf --plan story.lpuplan --temperature 0");
    command->callback([options] { compile(*options); });
}

}  // namespace lpu::cli
