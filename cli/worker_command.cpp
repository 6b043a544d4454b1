// `lpu worker`: serve one run of `lpu run --workers ...` over TCP.
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "launch/peer_liveness.hpp"
#include "launch/tcp/worker.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::cli {

void add_worker_command(CLI::App& app) {
    auto options = std::make_shared<launch::tcp::WorkerOptions>();
    auto model_path = std::make_shared<std::string>();
    auto* command = app.add_subcommand("worker", "Run a share of a plan for `lpu run --workers` (TCP)");
    command->add_option("-m,--model", *model_path, "The model file (the job's plan must be compiled for it)")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--listen", options->listen, "HOST:PORT to listen on (port 0: any free port)")
        ->capture_default_str();
    command->add_flag("--allow-remote", options->allow_remote, "Allow listening on a non-loopback address");
    command->add_option("--port-file", options->port_file, "Write the port it listens on to this file");
    command->add_option("--peer-timeout", options->liveness.timeout_seconds,
                        "End the run, naming the peer, when the coordinator or another worker has sent nothing "
                        "(not even its heartbeat) for this many seconds; a connection that opens with no whole job "
                        "within it is dropped")
        ->capture_default_str();
    command->footer(
        "Example:\n  lpu worker --model stories260K.gguf --listen 127.0.0.1:7001 &\n"
        "  lpu worker --model stories260K.gguf --listen 127.0.0.1:7002 &\n"
        "  lpu run --model stories260K.gguf --tp 4 --pp 2 --workers 127.0.0.1:7001,127.0.0.1:7002");
    command->callback([options, model_path] {
        launch::validate(options->liveness);
        const auto file = model::open_model(*model_path);
        launch::tcp::run_worker(*file, *options);
    });
}

}  // namespace lpu::cli
