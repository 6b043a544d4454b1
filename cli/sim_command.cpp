// `lpu sim`: what a model would do on a system of emulated LPUs, from its shape
// alone. The compiler plans it exactly as for `lpu run` (a shape fingerprint
// stands in for the weights, which are never read) and the plan is timed the
// way the runtime times it (study/step_study.hpp).
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "cli/system_flags.hpp"
#include "launch/plan_setup.hpp"
#include "plan/trace_file.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/grid_choice.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/model_presets.hpp"
#include "study/predict.hpp"
#include "study/prediction_report.hpp"
#include "study/step_study.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {
namespace {

struct SimCommandOptions {
    std::string preset;
    std::string model_path;
    std::string dtype;  // empty: int8 for a preset, the file's own for --model
    std::int64_t prompt_tokens = 128;
    bool json = false;
    launch::SystemOptions system;
    // --trace: one decode step of the compiled plan as a Perfetto trace.
    std::string trace_path;
    std::vector<topology::ChipId> trace_chips;  // empty: every chip
    std::optional<std::int64_t> trace_position;  // default: the last position of the context
};

// The step the user asked to see, in the spec's clock: the last position by
// default, because it is the slowest step and the one the latency report leads with.
void write_step_trace(const SimCommandOptions& options, const plan::Plan& plan, const sim::ChipSpec& spec) {
    plan::TraceOptions trace;
    trace.position = options.trace_position.value_or(plan.context_positions - 1);
    require(trace.position < plan.context_positions, [&] {
        std::string message = "--trace-position ";
        return message.append(std::to_string(trace.position))
            .append(" is outside the plan's context of ")
            .append(std::to_string(plan.context_positions))
            .append(" positions");
    });
    trace.clock_hz = static_cast<double>(spec.clock_hz);
    trace.chips = options.trace_chips;
    plan::write_trace_file(plan, trace, options.trace_path, "lpu sim");
}

study::SimPrediction predict(const SimCommandOptions& options) {
    study::SimQuestion question;
    question.config = study::model_shape(options.preset, options.model_path, options.dtype, question.model_source);
    question.spec = sim::load_chip_spec(options.system.spec);
    launch::SystemOptions system = options.system;
    if (system.compile.chips == 0 && system.compile.tp == 0 && system.compile.pp == 0) {
        const int positions = system.compile.positions > 0 ? system.compile.positions : question.config.context_length;
        const auto fewest = compiler::minimum_chips(question.config, question.spec, positions, 1);
        require(fewest.has_value(), [&] {
            return "model '" + question.config.name + "' does not fit any grid of '" + question.spec.name +
                   "' chips up to n_heads x n_layers; no system to simulate";
        });
        system.compile.chips = *fewest;
        std::cerr << "note: no --chips given: " << *fewest << " chip(s), the fewest whose SRAM holds the model with a "
                  << positions << "-position KV cache (--chips to choose)\n";
    }
    question.topology_name = launch::topology_spec_for(system);
    const topology::Topology topology = topology::topology_from_spec(question.topology_name);
    question.topology = &topology;
    question.compile = system.compile;
    question.prompt_tokens = options.prompt_tokens;
    study::SimPrediction prediction = predict(question, [&](const plan::Plan& plan) {
        if (!options.trace_path.empty()) write_step_trace(options, plan, question.spec);
    });
    // Without a plan there is no step to trace: asking for one is the error.
    require(!prediction.refusal || options.trace_path.empty(),
            [&] { return "no trace written: " + *prediction.refusal; });
    return prediction;
}

void run_sim(const SimCommandOptions& options) {
    const study::SimPrediction prediction = predict(options);
    if (options.json) {
        std::cout << json_text(study::prediction_json(prediction), 2) << "\n";
    } else {
        std::cout << study::prediction_text(prediction);
    }
    // Exit status 1 (as lpu plan check): the plan is not in lockstep, which the output says.
    if (prediction.lockstep && !prediction.lockstep->ok()) throw CLI::RuntimeError(1);
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
                        "Weight types: int8 (Q8_0), fp8 (needs a --spec with an FP8 rate), fp16, fp32, or a GGUF "
                        "type or mix of `lpu model quantize` (q4_k_m, q5_k_m, q6_k, q4_0, ...) "
                        "(default: int8 for a preset, the file's for --model)");
    command->add_option("--prompt-tokens", options->prompt_tokens,
                        "Prompt length for the time to first token (capped at the context)")
        ->capture_default_str()
        ->check(positive_number);
    command->add_flag("--json", options->json, "Print one JSON object instead of text");
    command->add_option("--trace", options->trace_path,
                        "Write one decode step of the compiled plan as Chrome/Perfetto trace JSON to this file");
    command->add_option("--trace-chips", options->trace_chips,
                        "Only these chips in the trace, e.g. 0,3,5 (default: every chip)")
        ->delimiter(',');
    command->add_option("--trace-position", options->trace_position,
                        "Sequence position of the traced step (default: the last position of the context)")
        ->check(non_negative_number);
    add_chip_options(*command, options->system);
    add_partition_options(*command, options->system);
    command->footer(
        "A model that does not fit is not an error: the answer is the compiler's refusal, with the\n"
        "minimum chip count. The plan is checked to be in lockstep first (as lpu plan check, over its\n"
        "repeating steps); one that is not gives no figures and exit status 1. Time to first token is\n"
        "the prompt's decode steps one after another, as `lpu run` feeds them, and a lower bound with\n"
        "them pipelined through the stages.\n"
        "Examples:\n"
        "  lpu sim --model-preset llama2-70b --dtype int8 --chips 576 --topology dragonfly:8\n"
        "  lpu sim --model-preset llama3-8b --dtype q4_k_m --chips 16\n"
        "  lpu sim --model-preset llama2-7b --tp 8 --pp 8 --context 1024 --batch 4 --json\n"
        "  lpu sim --model-preset llama2-7b --tp 8 --pp 8 --trace step.json --trace-chips 0,8,63\n"
        "  lpu sim --model ../shared/models/stories260K.gguf --chips 4");
    command->callback([options] { run_sim(*options); });
}

}  // namespace lpu::cli
