// `lpu run`: generate text with a real model on emulated LPUs.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "cli/system_flags.hpp"
#include "launch/inprocess/in_process_transport.hpp"
#include "launch/mpi/mpi_run.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "launch/run_fabric.hpp"
#include "launch/run_report.hpp"
#include "launch/tcp/tcp_run.hpp"
#include "runtime/engine/generator.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"
#include "runtime/model/vocabulary_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_fabric.hpp"

namespace lpu::cli {
namespace {

struct RunOptions {
    std::string model_path;
    std::string tokenizer_path;
    launch::SystemOptions system;
    bool json = false;
    bool print_placement = false;
    std::string workers;  // HOST:PORT,... of `lpu worker` processes
    std::uint64_t fabric_seed = 1;  // the crystals and link jitter of the fabric figures
    launch::PeerLiveness liveness;  // of the other processes of an MPI or TCP run
    engine::GenerationOptions generation;
};

launch::ReportOptions report_options(const RunOptions& options) { return {options.json, options.generation.sampling.seed}; }

// `chips` reports on the run once it is done, given the positions it ran.
void generate_and_report(engine::LanguageModel& language_model, const model::Tokenizer& tokenizer,
                         const RunOptions& options, const std::function<launch::RunChips(int)>& chips) {
    const launch::ReportOptions report = report_options(options);
    const auto results = engine::generate_batch(language_model, tokenizer, options.generation,
                                                launch::text_stream(report, language_model.batch_size()));
    launch::print_report(results, chips(results.front().stats.positions), report);
}

void run(const RunOptions& options) {
    const auto file = model::open_model(options.model_path);
    const model::Tokenizer tokenizer = model::make_tokenizer(
        model::vocabulary_of(*file, options.model_path, options.tokenizer_path), options.model_path);
    if (!options.workers.empty()) {
        launch::tcp::run_with_workers(*file, tokenizer, options.workers, options.system, options.generation,
                                      report_options(options), options.fabric_seed, options.liveness);
        return;
    }
    if (launch::mpi::launched_by_mpi()) {
        launch::mpi::run_under_mpi(*file, tokenizer,
                      {options.system, options.generation, report_options(options), options.print_placement,
                       options.fabric_seed, options.liveness});
        return;
    }
    if (!launch::wants_plan(options.system)) {
        const auto spec = sim::load_chip_spec(options.system.spec);
        engine::SingleChipModel chip_model(*file, spec, options.system.compile.positions);
        generate_and_report(chip_model, tokenizer, options,
                            [&](int) { return launch::RunChips{{launch::chip_report(chip_model.chip())}, "1 chip", {}}; });
        return;
    }
    launch::PreparedPlan prepared = launch::prepare_plan(*file, options.system);
    const std::string grid = launch::grid_name(prepared.plan);
    launch::inprocess::InProcessTransport transport;
    engine::PlanModel plan_model(std::move(prepared.plan), *file, prepared.spec, transport);
    generate_and_report(plan_model, tokenizer, options, [&](int positions) {
        launch::RunChips run{{}, grid, {}};
        for (const auto& runner : plan_model.chips()) run.chips.push_back(launch::chip_report(runner->chip()));
        if (positions > 0) {
            run.fabric = sim::plan_fabric_figures(plan_model.plan(), *prepared.topology, prepared.spec,
                                                  launch::run_fabric_config(options.fabric_seed, positions));
        }
        return run;
    });
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    auto* run_app = app.add_subcommand("run", "Generate text with a model on emulated LPUs");
    run_app->add_option("-m,--model", options->model_path, "Model file: GGUF or llama2.c checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    run_app->add_option("--tokenizer", options->tokenizer_path,
                        "llama2.c tokenizer.bin (required for llama2.c checkpoints)")
        ->check(CLI::ExistingFile);
    run_app->add_option("-p,--prompt", options->generation.prompt, "Text to start from");
    run_app->add_option("-n,--steps", options->generation.steps,
                        "Positions to process, prompt included (0 = the whole context)")
        ->capture_default_str()
        ->check(non_negative_number);
    run_app->add_option("-t,--temperature", options->generation.sampling.temperature, "0 = greedy")
        ->capture_default_str();
    run_app->add_option("--top-p", options->generation.sampling.top_p, "Nucleus sampling mass, in (0, 1]")
        ->capture_default_str();
    run_app->add_option("--top-k", options->generation.sampling.top_k, "Sample among the k most likely (0 = all)")
        ->capture_default_str();
    run_app->add_flag("--ignore-eos", options->generation.ignore_eos,
                      "Generate all --steps positions, through end-of-sequence tokens");
    auto* forced = run_app
                       ->add_option("--forced-tokens", options->generation.forced_tokens,
                                    "Teacher forcing: run exactly these token ids (e.g. 1,345,302), sampling nothing")
                       ->delimiter(',');
    run_app->get_option("--prompt")->excludes(forced);
    run_app->add_option("--top-logits", options->generation.top_logits,
                        "With --json: each position's N highest logits with their token ids (\"top_logits\")")
        ->check(CLI::NonNegativeNumber);
    run_app->add_option("-s,--seed", options->generation.sampling.seed, "Sampling seed")->capture_default_str();
    add_chip_options(*run_app, options->system);
    add_partition_options(*run_app, options->system);
    run_app->add_option("--plan", options->system.plan_path, "Run a plan compiled by `lpu compile`")
        ->check(CLI::ExistingFile);
    run_app->add_option("--fabric-seed", options->fabric_seed,
                        "Seed of the crystals and link jitter behind the fabric figures (as lpu plan check --seed)")
        ->capture_default_str();
    run_app->add_flag("--json", options->json, "Print tokens, text and stats as one JSON object");
    run_app->add_option("--workers", options->workers,
                        "Run over TCP with these `lpu worker` processes (HOST:PORT,...), this process as rank 0");
    run_app->add_flag("--print-placement", options->print_placement,
                      "Under mpirun: print which rank (and host) runs which chips");
    run_app->add_option("--peer-timeout", options->liveness.timeout_seconds,
                        "Under mpirun or with --workers: end the job, naming the peer, when another process has "
                        "sent nothing (not even its heartbeat) for this many seconds")
        ->capture_default_str();
    run_app->footer(
        "Example:\n  lpu run --model ../shared/models/stories260K.gguf --temperature 0 --steps 256\n"
        "  lpu run --model stories260K.bin --tokenizer tok512.bin --prompt \"Once upon a time\" --steps 64\n"
        "  lpu run --model ../shared/models/stories260K.gguf --temperature 0 --tp 4 --pp 2\n"
        "  lpu run --model ../shared/models/stories260K.gguf --forced-tokens 1,403,407,261 --top-logits 5 --json\n"
        "  mpirun -n 4 lpu run --model ../shared/models/stories260K.gguf --temperature 0 --tp 4 --pp 2 --print-placement");
    run_app->callback([options] {
        engine::validate(options->generation.sampling);
        launch::validate(options->liveness);
        require(options->generation.top_logits == 0 || options->json, "--top-logits prints with --json");
        run(*options);
    });
}

}  // namespace lpu::cli
