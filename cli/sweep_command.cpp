// `lpu sweep`: a scaling study. Every combination of the axes (chips or
// tp x pp, replicas, topology, batch, context) is predicted like `lpu sim`
// and written as one row of DIR/sweep.csv; gnuplot then draws latency,
// throughput and chips-needed curves as SVG (study/sweep.hpp does the work).
#include <charconv>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "sim/chip/chip_spec.hpp"
#include "cli/flag_checks.hpp"
#include "study/sweep.hpp"

namespace lpu::cli {
namespace {

// The flags fill the study's request directly; only --replicas (counts or
// "auto") and --quiet need converting.
struct SweepCommandOptions {
    study::SweepRequest request;
    std::vector<std::string> replicas{"auto"};
    bool quiet = false;
};

std::vector<int> parse_replicas(const std::vector<std::string>& values) {
    std::vector<int> replicas;
    for (const std::string& value : values) {
        if (value == "auto") {
            replicas.push_back(0);
            continue;
        }
        int count = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), count);
        require(error == std::errc{} && end == value.data() + value.size() && count >= 1,
                [&] { return "--replicas: '" + value + "' is neither a positive count nor auto"; });
        replicas.push_back(count);
    }
    return replicas;
}

void run_sweep(const SweepCommandOptions& options) {
    study::SweepRequest request = options.request;
    request.axes.replicas = parse_replicas(options.replicas);
    request.progress = !options.quiet;
    study::run_sweep(request, std::cout);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
    auto options = std::make_shared<SweepCommandOptions>();
    auto& request = options->request;
    request.spec = sim::default_chip_spec_name();
    auto* command = app.add_subcommand(
        "sweep", "Scaling study: predict a model over a grid of chips, partitions, topologies, batches and contexts");
    command->add_option("--model-preset", request.preset, "A published model shape (see lpu sim --help)");
    command->add_option("-m,--model", request.model_path, "A GGUF file: its header gives the shape")
        ->check(CLI::ExistingFile);
    command->add_option("--dtype", request.dtype,
                        "Weight types: int8, fp8, fp16, fp32 or a GGUF type/mix such as q4_k_m (default: as lpu sim)");
    command->add_option("--spec", request.spec, "Chip spec: a preset name or a JSON file")->capture_default_str();
    command->add_option("--chips", request.axes.chips, "Total chip counts, e.g. 64,576,10440 (or give --tp and --pp)")
        ->delimiter(',')
        ->check(positive_number);
    command->add_option("--tp", request.axes.tp, "Tensor-parallel degrees (every pair with --pp)")
        ->delimiter(',')
        ->check(positive_number);
    command->add_option("--pp", request.axes.pp, "Pipeline stages (every pair with --tp)")
        ->delimiter(',')
        ->check(positive_number);
    command->add_option("--replicas", options->replicas,
                        "Data-parallel replicas: counts and/or auto (the fewest the model can be split over)")
        ->delimiter(',')
        ->capture_default_str();
    command->add_option("--topology", request.axes.topologies,
                        "Systems, e.g. dragonfly:8,dragonfly:145 (default: one Dragonfly for the largest point)")
        ->delimiter(',');
    command->add_option("--batch", request.axes.batches, "Sequences per decode step and replica")
        ->delimiter(',')
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    command->add_option("--context", request.axes.contexts, "KV-cache positions (0 = the model's context length)")
        ->delimiter(',')
        ->capture_default_str()
        ->check(non_negative_number);
    command->add_option("--collective", request.collective, "All-reduce algorithm (auto = fastest)")->capture_default_str();
    command->add_option("--prompt-tokens", request.prompt_tokens, "Prompt length for the time to first token")
        ->capture_default_str()
        ->check(positive_number);
    command->add_option("-o,--out", request.out_dir, "Directory for sweep.csv and the plots")->capture_default_str();
    command->add_flag("!--no-plots", request.plots, "Write only the CSV (no gnuplot)");
    command->add_flag("-q,--quiet", options->quiet, "No progress bar");
    command->footer(
        "One CSV row per point: the grid the compiler chose, chips needed, latency, tokens/s per user and\n"
        "aggregate, time to first token, where the time goes, utilisation and energy. A point that does\n"
        "not fit or has no grid is a row with fits = 0 and the reason; one whose plan is not in lockstep\n"
        "has in_lockstep = 0, no figures and the first violation. The same sweep writes the same CSV.\n"
        "Examples:\n"
        "  lpu sweep --model-preset llama2-70b --chips 64,128,256,512,576,1024,2048,4096,8192,10440\n"
        "  lpu sweep --model-preset llama2-7b --tp 1,2,4,8 --pp 1,2,4,8 --topology dragonfly:1 --out sweep-7b\n"
        "  lpu sweep --model-preset llama2-70b --chips 576 --batch 1,4,16 --context 1024,4096 --no-plots");
    command->callback([options] { run_sweep(*options); });
}

}  // namespace lpu::cli
