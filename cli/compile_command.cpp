// `lpu compile`: compile a model for a system into a plan file (.lpuplan).
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/system_flags.hpp"
#include "launch/plan_setup.hpp"
#include "plan/plan_io.hpp"

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
    const std::string summary = launch::prepared_plan_summary(prepared, options.output_path);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
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
