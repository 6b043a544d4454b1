// `lpu serve`: an OpenAI-compatible HTTP server over a model on emulated LPUs,
// with continuous batching (launch/serving_model.hpp places the model,
// runtime/engine/batch_scheduler.hpp batches, serve/server.hpp answers).
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "cli/system_flags.hpp"
#include "launch/serving_model.hpp"
#include "runtime/engine/batch_scheduler.hpp"
#include "serve/server.hpp"

namespace lpu::cli {
namespace {

struct ServeOptions {
    launch::ServingRequest model;
    serve::ServerOptions server;
};

}  // namespace

void add_serve_command(CLI::App& app) {
    auto options = std::make_shared<ServeOptions>();
    auto* command = app.add_subcommand("serve", "Serve a model on emulated LPUs over an OpenAI-compatible HTTP API");
    command->add_option("-m,--model", options->model.model_path, "Model file: GGUF or llama2.c checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--tokenizer", options->model.tokenizer_path,
                        "llama2.c tokenizer.bin (required for llama2.c checkpoints)")
        ->check(CLI::ExistingFile);
    command->add_option("--listen", options->server.listen, "HOST:PORT to listen on (port 0: any free port)")
        ->capture_default_str();
    command->add_flag("--allow-remote", options->server.allow_remote,
                      "Allow listening on a non-loopback address (the API has no authentication)");
    command->add_option("--max-batch", options->model.system.compile.batch,
                        "Batch slots: requests run together, joining and leaving at step boundaries "
                        "(above 1 the model runs on a compiled plan)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    command->add_option("--max-waiting", options->server.max_waiting,
                        "Requests queued for a slot at most; beyond, 429 with Retry-After")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    command->add_option("--max-body-bytes", options->server.max_body_bytes, "Largest request body; beyond, 413")
        ->capture_default_str()
        ->check(positive_number);
    command->add_option("--drain-seconds", options->server.drain_seconds,
                        "On SIGINT/SIGTERM, how long running requests may take to finish before they are cancelled")
        ->capture_default_str()
        ->check(non_negative_number);
    add_chip_options(*command, options->model.system);
    add_grid_options(*command, options->model.system);
    command->add_option("--plan", options->model.system.plan_path, "Serve with a plan compiled by `lpu compile`")
        ->check(CLI::ExistingFile);
    command->add_option("--workers", options->model.workers,
                        "Run the chips on these `lpu worker` processes (HOST:PORT,...), this process as rank 0");
    command->add_flag("--print-placement", options->model.print_placement,
                      "Under mpirun: print which rank (and host) runs which chips");
    command->add_option("--peer-timeout", options->model.liveness.timeout_seconds,
                        "Under mpirun or with --workers: end the server, naming the peer, when another process has "
                        "sent nothing (not even its heartbeat) for this many seconds")
        ->capture_default_str();
    command->footer(
        "Endpoints: GET /v1/models, POST /v1/completions, POST /v1/chat/completions (stream: true for server-sent\n"
        "events), GET /health, GET /metrics (Prometheus). Answers carry x_emulated_lpu beside usage: the emulated\n"
        "system's queue_time, prompt_time, completion_time and total_time for the request, and host_time.\n"
        "SIGINT/SIGTERM: take no more requests (503), let those under way finish for up to --drain-seconds, cancel\n"
        "the rest, close once every answer is written, exit 0; a second signal exits at once (130 or 143).\n"
        "Example:\n"
        "  lpu serve --model ../shared/models/stories260K.gguf --listen 127.0.0.1:8080 &\n"
        "  curl -s http://127.0.0.1:8080/v1/completions -H 'Content-Type: application/json' \\\n"
        "       -d '{\"prompt\": \"Once upon a time\", \"max_tokens\": 32, \"temperature\": 0}'\n"
        "  lpu serve --model ../shared/models/stories260K.gguf --max-batch 8 --tp 2 --pp 2\n"
        "  mpirun -n 2 --bind-to none lpu serve --model ../shared/models/stories260K.gguf --max-batch 4 --tp 2 --pp 2\n"
        "  lpu serve --model ../shared/models/stories260K.gguf --max-batch 4 --tp 2 --pp 2 --workers 127.0.0.1:7001,127.0.0.1:7002\n"
        "Under mpirun rank 0 serves HTTP and the other ranks follow its steps; signal rank 0's process to drain\n"
        "(signalling mpirun ends every rank at once, as mpirun does).");
    command->callback([options] {
        launch::validate(options->model.liveness);
        launch::with_serving_model(options->model, [&](const launch::ServingModel& served) {
            engine::BatchScheduler scheduler(served.model, served.tokenizer, options->server.max_waiting);
            std::fprintf(stderr, "lpu serve: %s on %s, batch slots %d, context %d positions\n", served.name.c_str(),
                         served.grid.c_str(), scheduler.slots(), scheduler.max_positions());
            serve::serve_http(scheduler, served.tokenizer, served.name, options->server);
        });
    });
}

}  // namespace lpu::cli
