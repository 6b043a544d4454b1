#pragma once
// `lpu serve`'s HTTP side: an OpenAI-compatible API over a batch scheduler,
// whatever runs the model under it (one chip, a plan in this process, later
// mpirun or TCP workers): it gets the scheduler, the tokenizer and the name
// clients call the model by.
//
//   GET  /v1/models, /v1/models/{model}   the one model
//   POST /v1/completions                   completion_endpoint.hpp
//   POST /v1/chat/completions              in the model's chat template (raw text without one)
//   GET  /health                           200 while serving, 503 while stopping
//   GET  /metrics                          Prometheus text (metrics.hpp)
// Every error is OpenAI's error object (api_error.hpp): an unknown path 404, a
// body over the limit 413, anything unforeseen 500; none ends the process.
//
// SIGINT or SIGTERM: take no more requests (503 with Retry-After), let the
// running and waiting ones finish for up to `drain_seconds`, cancel what is
// left (a stream then ends with an error event), close the listening socket
// once every answer is written, and return (the command exits 0). A second
// signal exits at once with 128 + its number.
#include <cstddef>
#include <string>

#include "runtime/engine/batch_scheduler.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::serve {

struct ServerOptions {
    std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0: any free port
    bool allow_remote = false;              // listen on a non-loopback address
    std::size_t max_body_bytes = 1 << 20;
    int max_waiting = 64;                   // the scheduler's queue bound, for the connection threads
    double drain_seconds = 10.0;
};

// Runs the scheduler's engine loop and the HTTP server until a signal has
// stopped both. Writes "lpu serve: listening on http://HOST:PORT" to stderr
// once it accepts connections. Throws lpu::Error when it cannot listen.
void serve_http(engine::BatchScheduler& scheduler, const model::Tokenizer& tokenizer, const std::string& model_name,
                const ServerOptions& options);

}  // namespace lpu::serve
