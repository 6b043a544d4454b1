// `lpu sim`: what a model would do on a system of emulated LPUs, from its shape
// alone. The compiler plans it exactly as for `lpu run` (a shape fingerprint
// stands in for the weights, which are never read) and the plan is timed the
// way the runtime times it (study/simulate.hpp does the work).
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/json_text.hpp"
#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "cli/system_flags.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/model/model_presets.hpp"
#include "study/prediction_report.hpp"
#include "study/simulate.hpp"

namespace lpu::cli {
namespace {

struct SimCommandOptions {
    study::SimRequest request;
    launch::SystemOptions system;  // what the chip and partition flags fill
    bool json = false;
};

void run_sim(SimCommandOptions& options) {
    study::SimRequest& request = options.request;
    request.spec = options.system.spec;
    request.topology = options.system.topology;
    request.compile = options.system.compile;
    const study::SimPrediction prediction =
        study::simulate(request, [](const std::string& note) { std::cerr << "note: " << note << "\n"; });
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
    command->add_option("--model-preset", options->request.preset, "A published model shape: " + presets);
    command->add_option("-m,--model", options->request.model_path, "A GGUF file: its header gives the shape")
        ->check(CLI::ExistingFile);
    command->add_option("--dtype", options->request.dtype,
                        "Weight types: int8 (Q8_0), fp8 (needs a --spec with an FP8 rate), fp16, fp32, or a GGUF "
                        "type or mix of `lpu model quantize` (q4_k_m, q5_k_m, q6_k, q4_0, ...) "
                        "(default: int8 for a preset, the file's for --model)");
    command->add_option("--prompt-tokens", options->request.prompt_tokens,
                        "Prompt length for the time to first token (capped at the context)")
        ->capture_default_str()
        ->check(positive_number);
    command->add_option("--expert-skew", options->request.expert_skew,
                        "A mixture of experts' assumed routing for the load report: expert e preferred with weight "
                        "1/(e+1)^SKEW (0: uniform)");
    command->add_flag("--json", options->json, "Print one JSON object instead of text");
    command->add_option("--trace", options->request.trace_path,
                        "Write one decode step of the compiled plan as Chrome/Perfetto trace JSON to this file");
    command->add_option("--trace-chips", options->request.trace_chips,
                        "Only these chips in the trace, e.g. 0,3,5 (default: every chip)")
        ->delimiter(',');
    command->add_option("--trace-position", options->request.trace_position,
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
        "  lpu sim --model-preset mixtral-8x7b --chips 576 --expert-skew 1\n"
        "  lpu sim --model-preset llama2-7b --tp 8 --pp 8 --trace step.json --trace-chips 0,8,63\n"
        "  lpu sim --model ../shared/models/stories260K.gguf --chips 4");
    command->callback([options] { run_sim(*options); });
}

}  // namespace lpu::cli
