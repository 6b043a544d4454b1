#pragma once
// An `lpu serve` of this build running in the background for a test, on a free
// loopback port (--listen 127.0.0.1:0: the port is read from its stderr), and
// an HTTP client for it. It runs in a process group of its own, killed
// whole (mpirun's ranks too) if still running when it goes.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/temp_path.hpp"

namespace lpu::test {

class ServeProcess {
public:
    // `arguments` follow `lpu serve` (shell words), e.g. "--model M --max-batch 1";
    // `launcher` precedes lpu (e.g. "mpirun -n 2"). Fails the test when the
    // server does not listen within a minute.
    explicit ServeProcess(const std::string& arguments, const std::string& launcher = "");
    ~ServeProcess();
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    std::unique_ptr<httplib::Client> client() const;

    // Sends `signal_number` and waits for the exit; returns the exit code
    // (128 + the signal when one ended it), or -1 when it outlived `timeout`.
    int stop(int signal_number, std::chrono::seconds timeout);
    bool running() const;
    std::string err() const;  // its stderr so far
    long rss_kib() const;     // resident memory now (VmRSS)

private:
    // Reaps the process when it has exited; its exit code (as stop() gives it) then.
    std::optional<int> reap(bool wait) const;

    TempDir dir_{"serve"};
    pid_t pid_ = -1;
    int port_ = 0;
    mutable std::optional<int> exit_code_;
};

// POSTs `body` as JSON and parses the answer (the status is in the result).
struct JsonAnswer {
    int status = 0;
    nlohmann::json body;
    std::string retry_after;  // the Retry-After header, or empty
};
JsonAnswer post_json(httplib::Client& client, const std::string& path, const nlohmann::json& body);
JsonAnswer post_text(httplib::Client& client, const std::string& path, const std::string& body);

// POSTs `body` as JSON, handing the answer's body to `receive` as it comes
// (false from it drops the connection). httplib 0.11's client has no Post for that.
httplib::Result post_receiving(httplib::Client& client, const std::string& path, const std::string& body,
                               std::function<bool(const char* data, std::size_t size)> receive);

// A streamed answer: the JSON of each `data:` event before `data: [DONE]`.
struct StreamedAnswer {
    int status = 0;      // 0 when no answer came
    std::string failure;  // then, httplib's reason
    std::vector<nlohmann::json> events;
    bool done = false;  // ended with data: [DONE]
    std::string text;   // the pieces of text joined (completions' text, chat's delta.content)
};
// Safe on any thread: a failed request is an answer with status 0, not a test failure.
StreamedAnswer post_stream(httplib::Client& client, const std::string& path, nlohmann::json body);

// GET /metrics until its text holds `line` (an answer is counted once it is
// written, a moment after its client has it), for 10 s at most; the last text.
std::string metrics_holding(httplib::Client& client, const std::string& line);

// The value of the metric line that starts with `name ` (or `name{...} `), from GET /metrics.
double metric(httplib::Client& client, const std::string& name);

// Waits (up to a minute) until `condition` holds; whether it did.
template <class Condition>
bool eventually(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// `lpu run`'s greedy completion of `prompt` in `max_tokens` tokens at most:
// the text after the prompt's own.
struct RunCompletion {
    std::string text;
    int prompt_tokens = 0;
    int completion_tokens = 0;
};
RunCompletion lpu_run_completion(const std::string& model, const std::string& prompt, int max_tokens,
                                 const std::string& flags = "");

}  // namespace lpu::test
