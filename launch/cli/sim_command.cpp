// `lpu sim`: what a model would do on a system of emulated LPUs, from its shape
// alone. The compiler plans it exactly as for `lpu run` (a shape fingerprint
// stands in for the weights, which are never read) and the plan is timed the
// way the runtime times it (launch/cli/sim_study.hpp).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "launch/cli/commands.hpp"
#include "launch/cli/plan_setup.hpp"
#include "launch/cli/sim_report.hpp"
#include "launch/cli/sim_study.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/model_presets.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {
namespace {

struct SimCommandOptions {
    std::string preset;
    std::string model_path;
    std::string dtype;  // empty: int8 for a preset, the file's own for --model
    std::int64_t prompt_tokens = 128;
    bool json = false;
    SystemOptions system;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The shape to plan, and where it came from.
model::ModelConfig model_config(const SimCommandOptions& options, std::string& source) {
    model::ModelConfig config;
    if (!options.preset.empty()) {
        config = model::dense_config(model::model_preset(options.preset));
        config.weight_dtype = model::weight_dtype_from_name(options.dtype.empty() ? "int8" : options.dtype);
        source = "preset " + options.preset;
    } else {
        // Opening validates the header and maps the tensors; only the config is used.
        config = model::open_model(options.model_path)->config();
        if (!options.dtype.empty()) config.weight_dtype = model::weight_dtype_from_name(options.dtype);
        source = options.model_path;
    }
    return config;
}

// The compiler refuses a model that does not fit SRAM with a message naming the
// shortfall ("short by N bytes", and the minimum chip count when it can tell):
// that refusal is a result. Any other error (a grid the model cannot be split
// into, an unknown collective) is bad input.
bool is_sram_refusal(const Error& error) {
    return std::string(error.what()).find("(short by ") != std::string::npos;
}

SimPrediction predict(const SimCommandOptions& options) {
    SimPrediction prediction;
    prediction.config = model_config(options, prediction.model_source);
    prediction.spec = sim::load_chip_spec(options.system.spec);
    prediction.topology = topology_spec_for(options.system);
    const compiler::CompileOptions& compile = options.system.compile;
    prediction.context_positions = compile.positions == 0 ? prediction.config.context_length : compile.positions;
    prediction.batch = compile.batch;
    const topology::Topology topology = topology::topology_from_spec(prediction.topology);

    const auto compile_start = std::chrono::steady_clock::now();
    std::optional<plan::Plan> plan;
    try {
        plan = compiler::compile_plan(prediction.config, compiler::shape_fingerprint(prediction.config),
                                      {&topology, prediction.topology, &prediction.spec}, compile);
    } catch (const Error& error) {
        if (!is_sram_refusal(error)) throw;
        prediction.refusal = error.what();
    }
    prediction.compile_seconds = seconds_since(compile_start);
    if (!plan) return prediction;

    const auto study_start = std::chrono::steady_clock::now();
    prediction.grid = plan->grid;
    prediction.chips = static_cast<std::int64_t>(plan->chips.size());
    prediction.fullest_chip_sram_bytes = fullest_chip_sram_bytes(*plan);
    const plan::Retimer retimer(*plan);
    prediction.first_step = study_step(*plan, retimer, 0);
    prediction.last_step = study_step(*plan, retimer, plan->context_positions - 1);
    prediction.prompt_tokens = std::min(options.prompt_tokens, plan->context_positions);
    prediction.prefill_cycles = prefill_cycles(*plan, retimer, prediction.prompt_tokens);
    prediction.study_seconds = seconds_since(study_start);
    return prediction;
}

void run_sim(const SimCommandOptions& options) {
    require(options.preset.empty() != options.model_path.empty(), "give exactly one of --model-preset and --model");
    const SimPrediction prediction = predict(options);
    if (options.json) {
        std::cout << prediction_json(prediction).dump(2) << "\n";
    } else {
        std::cout << prediction_text(prediction);
    }
}

}  // namespace

void add_sim_command(CLI::App& app) {
    auto options = std::make_shared<SimCommandOptions>();
    auto* command = app.add_subcommand(
        "sim", "Predict a model's chips, latency, throughput, time breakdown and energy from its shape alone");
    std::string presets;
    for (const auto& name : model::model_preset_names()) presets += (presets.empty() ? "" : ", ") + name;
    command->add_option("--model-preset", options->preset, "A published model shape: " + presets);
    command->add_option("-m,--model", options->model_path, "A GGUF file: its header gives the shape")
        ->check(CLI::ExistingFile);
    command->add_option("--dtype", options->dtype,
                        "Weight precision: int8 (Q8_0), fp16 or fp32 (default: int8 for a preset, the file's for --model)");
    command->add_option("--prompt-tokens", options->prompt_tokens,
                        "Prompt length for the time to first token (capped at the context)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    command->add_flag("--json", options->json, "Print one JSON object instead of text");
    add_chip_options(*command, options->system);
    add_partition_options(*command, options->system);
    command->footer(
        "A model that does not fit is not an error: the answer is the compiler's refusal, with the\n"
        "minimum chip count. Time to first token processes the prompt as successive decode steps.\n"
        "Examples:\n"
        "  lpu sim --model-preset llama2-70b --dtype int8 --chips 576 --topology dragonfly:8\n"
        "  lpu sim --model-preset llama2-7b --tp 8 --pp 8 --context 1024 --batch 4 --json\n"
        "  lpu sim --model ../shared/models/stories260K.gguf --chips 4");
    command->callback([options] { run_sim(*options); });
}

}  // namespace lpu::cli
