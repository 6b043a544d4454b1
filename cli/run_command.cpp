// `lpu run`: generate text with a real model on emulated LPUs (launch/run.hpp does the work).
#include <memory>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "cli/system_flags.hpp"
#include "launch/run.hpp"

namespace lpu::cli {
namespace {

struct RunOptions {
    launch::RunRequest request;
    bool json = false;
};

}  // namespace

void add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    auto* run_app = app.add_subcommand("run", "Generate text with a model on emulated LPUs");
    run_app->add_option("-m,--model", options->request.model_path, "Model file: GGUF or llama2.c checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    run_app->add_option("--tokenizer", options->request.tokenizer_path,
                        "llama2.c tokenizer.bin (required for llama2.c checkpoints)")
        ->check(CLI::ExistingFile);
    run_app->add_option("-p,--prompt", options->request.generation.prompt, "Text to start from");
    run_app->add_option("-n,--steps", options->request.generation.steps,
                        "Positions to process, prompt included (0 = the whole context)")
        ->capture_default_str()
        ->check(non_negative_number);
    run_app->add_option("-t,--temperature", options->request.generation.sampling.temperature, "0 = greedy")
        ->capture_default_str();
    run_app->add_option("--top-p", options->request.generation.sampling.top_p, "Nucleus sampling mass, in (0, 1]")
        ->capture_default_str();
    run_app->add_option("--top-k", options->request.generation.sampling.top_k, "Sample among the k most likely (0 = all)")
        ->capture_default_str();
    run_app->add_flag("--ignore-eos", options->request.generation.ignore_eos,
                      "Generate all --steps positions, through end-of-sequence tokens");
    auto* forced = run_app
                       ->add_option("--forced-tokens", options->request.generation.forced_tokens,
                                    "Teacher forcing: run exactly these token ids (e.g. 1,345,302), sampling nothing")
                       ->delimiter(',');
    run_app->get_option("--prompt")->excludes(forced);
    run_app->add_option("--top-logits", options->request.generation.top_logits,
                        "With --json: each position's N highest logits with their token ids (\"top_logits\")")
        ->check(CLI::NonNegativeNumber);
    run_app->add_option("-s,--seed", options->request.generation.sampling.seed, "Sampling seed")->capture_default_str();
    add_chip_options(*run_app, options->request.system);
    add_partition_options(*run_app, options->request.system);
    run_app->add_option("--plan", options->request.system.plan_path, "Run a plan compiled by `lpu compile`")
        ->check(CLI::ExistingFile);
    run_app->add_option("--fabric-seed", options->request.fabric_seed,
                        "Seed of the crystals and link jitter behind the fabric figures (as lpu plan check --seed)")
        ->capture_default_str();
    run_app->add_flag("--json", options->json, "Print tokens, text and stats as one JSON object");
    run_app->add_option("--workers", options->request.workers,
                        "Run over TCP with these `lpu worker` processes (HOST:PORT,...), this process as rank 0");
    run_app->add_flag("--print-placement", options->request.print_placement,
                      "Under mpirun: print which rank (and host) runs which chips");
    run_app->add_option("--peer-timeout", options->request.liveness.timeout_seconds,
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
        auto& request = options->request;
        engine::validate(request.generation.sampling);
        launch::validate(request.liveness);
        require(request.generation.top_logits == 0 || options->json, "--top-logits prints with --json");
        request.report = {options->json, request.generation.sampling.seed};
        launch::run_model(request);
    });
}

}  // namespace lpu::cli
