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
#include "cli/failure_flags.hpp"
#include "cli/flag_checks.hpp"
#include "cli/system_flags.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/model/model_presets.hpp"
#include "study/failover_report.hpp"
#include "study/prediction_report.hpp"
#include "study/simulate.hpp"

namespace lpu::cli {
namespace {

struct SimCommandOptions {
    study::SimRequest request;
    launch::SystemOptions system;  // what the chip and partition flags fill
    std::string fail;              // --fail, parsed when the command runs
    bool json = false;
};

void run_sim(SimCommandOptions& options) {
    study::SimRequest& request = options.request;
    request.spec = options.system.spec;
    request.topology = options.system.topology;
    request.compile = options.system.compile;
    if (!options.fail.empty()) request.failure = parse_fail_flag(options.fail);
    const study::SimResult result =
        study::simulate(request, [](const std::string& note) { std::cerr << "note: " << note << "\n"; });
    const study::SimPrediction& prediction = result.prediction;
    if (options.json) {
        nlohmann::json out = study::prediction_json(prediction);
        if (request.failure) {
            out["failover"] = result.failover ? study::failover_json(prediction, *result.failover) : nlohmann::json();
        }
        std::cout << json_text(out, 2) << "\n";
    } else {
        std::cout << study::prediction_text(prediction);
        if (result.failover) std::cout << study::failover_text(prediction, *result.failover);
        else if (request.failure) std::cout << "failure: not simulated: there is no prediction before it\n";
    }
    // Exit status 1 (as lpu plan check): a plan is not in lockstep, which the output says.
    const auto out_of_lockstep = [](const study::SimPrediction& p) { return p.lockstep && !p.lockstep->ok(); };
    if (out_of_lockstep(prediction) || (result.failover && out_of_lockstep(result.failover->after))) {
        throw CLI::RuntimeError(1);
    }
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
    command->add_option("--fail", options->fail,
                        "A chip or link that fails after STEP positions of the sequence: chip:N@STEP or "
                        "link:A-B@STEP (every link between chips A and B). The plan is recompiled around it "
                        "and the sequence replayed; the report adds the recovery and tokens/s before and after");
    add_chip_options(*command, options->system);
    add_partition_options(*command, options->system);
    command->footer(
        "A model that does not fit is not an error: the answer is the compiler's refusal, with the\n"
        "minimum chip count. The plan is checked to be in lockstep first (as lpu plan check, over its\n"
        "repeating steps); one that is not gives no figures and exit status 1. Time to first token is\n"
        "the prompt's decode steps one after another, as `lpu run` feeds them, and a lower bound with\n"
        "them pipelined through the stages.\n"
        "With --fail the system loses a chip or a link: the plan is recompiled without it (a spare chip of\n"
        "the topology, as in dragonfly:R,spare, else an idle chip takes the failed chip's part; with none,\n"
        "the best grid of the chips left), and the STEP positions done are replayed on the new plan to\n"
        "rebuild the KV caches. Recovery is the recompile (host seconds) then the replay (emulated).\n"
        "Examples:\n"
        "  lpu sim --model-preset llama2-70b --dtype int8 --chips 576 --topology dragonfly:8\n"
        "  lpu sim --model-preset llama3-8b --dtype q4_k_m --chips 16\n"
        "  lpu sim --model-preset llama2-7b --tp 8 --pp 8 --context 1024 --batch 4 --json\n"
        "  lpu sim --model-preset mixtral-8x7b --chips 576 --expert-skew 1\n"
        "  lpu sim --model-preset llama2-7b --tp 8 --pp 8 --trace step.json --trace-chips 0,8,63\n"
        "  lpu sim --model-preset llama2-70b --chips 576 --fail chip:5@100\n"
        "  lpu sim --model-preset llama2-7b --tp 8 --pp 8 --topology dragonfly:1,spare --fail link:0-1@512 --json\n"
        "  lpu sim --model ../shared/models/stories260K.gguf --chips 4");
    command->callback([options] { run_sim(*options); });
}

}  // namespace lpu::cli
