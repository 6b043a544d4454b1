// The HTTP library is cpp-httplib (Debian's libcpp-httplib-dev), not
// Boost.Beast: the server is an adapter of a few JSON endpoints and one kind
// of stream, which httplib gives as routes, a thread pool, body limits,
// keep-alive and chunked responses with a write-failure signal (how a client
// that went away is noticed), in one small library. Beast would have us write
// the accept loop, the connection state machines and the chunked encoding
// over Asio ourselves, hand-written protocol code of the kind the project
// keeps out. Its price: a thread per open connection (sized below), which the
// handful of clients of an emulated system can afford.
#include "serve/server.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

#include "base/failure_exit.hpp"
#include "base/json_text.hpp"
#include "base/log.hpp"
#include "launch/interrupts.hpp"
#include "launch/tcp/endpoint.hpp"
#include "serve/api_error.hpp"
#include "serve/completion_endpoint.hpp"
#include "serve/metrics.hpp"

namespace lpu::serve {
namespace {

// Connection threads beyond the slots and the queue: /health, /metrics, and
// requests that are turned away with a 429 need a thread to be answered.
constexpr int kSpareThreads = 8;

void send_error(httplib::Response& response, const ApiError& error) {
    response.status = error.status();
    response.set_content(error_body(error), "application/json");
}

// A route's handler with its refusals answered as OpenAI error objects.
httplib::Server::Handler answering(std::function<void(const httplib::Request&, httplib::Response&)> handler) {
    return [handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
        try {
            handler(request, response);
        } catch (const ApiError& error) {
            send_error(response, error);
        }
    };
}

// How long answers that are done in the engine may take to reach their
// clients once the engine has stopped, before the server closes.
constexpr std::chrono::seconds kLastWrites{5};

// The end of serving. On the first signal: no new requests (503); the running
// and waiting ones get `drain_seconds`, then the rest are cancelled; once
// every answer is written, the server stops (httplib's stop() would cut the
// streams still going, so it comes last).
class Shutdown {
public:
    Shutdown(engine::BatchScheduler& scheduler, httplib::Server& http, InFlight& in_flight, double drain_seconds)
        : scheduler_(scheduler), http_(http), in_flight_(in_flight), drain_(drain_seconds) {}

    bool stopping() const { return stopping_; }

    // On the signal watcher's thread: returns once the server is stopped.
    void on_signal(int signal_number) {
        stopping_ = true;
        std::fprintf(stderr, "lpu serve: %s: taking no more requests, finishing those under way (at most %g s)\n",
                     signal_number == SIGINT ? "SIGINT" : "SIGTERM", drain_.count());
        scheduler_.stop(/*cancel_running=*/false);
        std::unique_lock lock(mutex_);
        if (!engine_done_changed_.wait_for(lock, drain_, [&] { return engine_done_; })) {
            const engine::BatchStats stats = scheduler_.stats();
            std::fprintf(stderr, "lpu serve: cancelling %d running and %d waiting requests\n", stats.busy_slots,
                         stats.waiting);
            scheduler_.stop(/*cancel_running=*/true);
            engine_done_changed_.wait(lock, [&] { return engine_done_; });
        }
        lock.unlock();
        in_flight_.wait_until_idle(kLastWrites);
        http_.stop();
    }

    void engine_done() {
        const std::lock_guard lock(mutex_);
        engine_done_ = true;
        engine_done_changed_.notify_all();
    }

private:
    engine::BatchScheduler& scheduler_;
    httplib::Server& http_;
    InFlight& in_flight_;
    std::chrono::duration<double> drain_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable engine_done_changed_;
    bool engine_done_ = false;
};

nlohmann::json model_object(const std::string& name, std::int64_t created) {
    return {{"id", name}, {"object", "model"}, {"created", created}, {"owned_by", "lpu"}};
}

}  // namespace

void serve_http(engine::BatchScheduler& scheduler, const model::Tokenizer& tokenizer, const std::string& model_name,
                const ServerOptions& options) {
    const launch::tcp::Endpoint listen = launch::tcp::parse_endpoint(options.listen);
    require(options.allow_remote || launch::tcp::is_loopback(listen.host),
            "--listen " + options.listen + " is not a loopback address: the API has no authentication, so listening "
            "beyond this machine needs --allow-remote");
    // A client gone mid-answer is a failed write to its socket, not the end of the process.
    std::signal(SIGPIPE, SIG_IGN);

    const auto chat_template = model::ChatTemplate::detect(tokenizer.chat_template());
    std::fprintf(stderr, "lpu serve: chat template %s\n",
                 chat_template ? chat_template->name().c_str()
                               : "none: chat messages go to the model as raw text, one after another");
    InFlight in_flight;
    CompletionEndpoint completions(scheduler, tokenizer, chat_template, model_name, in_flight);
    HttpCounters counters;
    const auto started = static_cast<std::int64_t>(std::time(nullptr));
    const auto logger = log::get("serve");

    httplib::Server http;
    const int threads = scheduler.slots() + options.max_waiting + kSpareThreads;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    http.set_payload_max_length(options.max_body_bytes);
    Shutdown shutdown(scheduler, http, in_flight, options.drain_seconds);

    http.Get("/v1/models", answering([&](const httplib::Request&, httplib::Response& response) {
        const nlohmann::json body = {{"object", "list"}, {"data", nlohmann::json::array({model_object(model_name, started)})}};
        response.set_content(json_text(body), "application/json");
    }));
    http.Get("/v1/models/(.+)", answering([&](const httplib::Request& request, httplib::Response& response) {
        if (request.matches[1] != model_name) {
            throw ApiError(404, "the model '" + request.matches[1].str() + "' does not exist: this server serves '" +
                                    model_name + "'",
                           "invalid_request_error", "model", "model_not_found");
        }
        response.set_content(json_text(model_object(model_name, started)), "application/json");
    }));
    http.Post("/v1/completions", answering([&](const httplib::Request& request, httplib::Response& response) {
        completions.answer(request, response, Endpoint::completions);
    }));
    http.Post("/v1/chat/completions", answering([&](const httplib::Request& request, httplib::Response& response) {
        completions.answer(request, response, Endpoint::chat);
    }));
    http.Get("/health", [&](const httplib::Request&, httplib::Response& response) {
        response.status = shutdown.stopping() ? 503 : 200;
        response.set_content(shutdown.stopping() ? R"({"status":"stopping"})" : R"({"status":"ok"})", "application/json");
    });
    http.Get("/metrics", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(prometheus_text(scheduler.stats(), counters.by_status()), "text/plain; version=0.0.4");
    });
    // Answers httplib gives itself (no route, a body over the limit, a request
    // it cannot parse) get an error object too; those of the routes have theirs.
    http.set_error_handler(httplib::Server::HandlerWithResponse([&](const httplib::Request& request,
                                                                    httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const std::string what = request.method + " " + request.path;
        if (response.status == 404) {
            send_error(response, ApiError(404, "no such endpoint: " + what, "invalid_request_error", "", "not_found"));
        } else if (response.status == 413) {
            send_error(response, ApiError(413, "the body of " + what + " is larger than the server's limit of " +
                                                   std::to_string(options.max_body_bytes) + " bytes (--max-body-bytes)",
                                          "invalid_request_error", "", "request_too_large"));
        } else {
            send_error(response, ApiError(response.status, "the server could not read the request " + what));
        }
        return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([&](const httplib::Request& request, httplib::Response& response, std::exception_ptr error) {
        std::string message = "unknown exception";
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            message = e.what();
        } catch (...) {
        }
        logger->error("{} {}: {}", request.method, request.path, message);
        send_error(response, ApiError(500, "internal error: " + message, "server_error"));
    });
    http.set_logger([&](const httplib::Request& request, const httplib::Response& response) {
        counters.count(response.status);
        logger->info("{} {} {}", request.method, request.path, response.status);
    });

    // httplib 0.11.4 listens with a backlog of 5: a burst of clients (the
    // load test's 32) overflows it and the kernel drops connections already
    // made. The socket it binds is the last one it shows its option hook;
    // listening again on it widens the backlog.
    int socket = -1;
    http.set_socket_options([&socket](socket_t created) {
        httplib::default_socket_options(created);
        socket = created;
    });
    const int port = listen.port == 0 ? http.bind_to_any_port(listen.host)
                                      : (http.bind_to_port(listen.host, listen.port) ? listen.port : -1);
    require(port > 0, "cannot listen on " + options.listen + " (in use, or not an address of this machine)");
    require(::listen(socket, SOMAXCONN) == 0, "cannot widen the listen backlog of " + options.listen);
    std::fprintf(stderr, "lpu serve: listening on http://%s:%d\n", listen.host.c_str(), port);
    std::fflush(stderr);

    std::thread engine([&] {
        try {
            scheduler.run();
        } catch (...) {
            // The model failed (a dead peer, a bug): nothing can answer the
            // requests that wait on it, so the process ends as a failed command does.
            std::_Exit(report_failure(std::current_exception(), std::cerr));
        }
        shutdown.engine_done();
    });
    {
        launch::GracefulStop interrupts([&](int signal_number) { shutdown.on_signal(signal_number); });
        http.listen_after_bind();  // returns once a signal has stopped the server
        if (!shutdown.stopping()) {  // or when accepting failed
            scheduler.stop(/*cancel_running=*/true);
            engine.join();
            throw Error("the HTTP server on " + options.listen + " stopped accepting connections");
        }
        engine.join();
    }
    std::fprintf(stderr, "lpu serve: stopped\n");
}

}  // namespace lpu::serve
