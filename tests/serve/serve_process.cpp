#include "tests/serve/serve_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"

namespace lpu::test {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

ServeProcess::ServeProcess(const std::string& arguments, const std::string& launcher) {
    const std::string command = "exec " + launcher + " " + lpu_binary() + " serve --listen 127.0.0.1:0 " + arguments +
                                " 2>" + dir_.file("err") + " >" + dir_.file("out");
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        ::setpgid(0, 0);
        const int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, STDIN_FILENO);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // here too: the group exists whichever runs first
    // Not std::regex: GCC 12 warns falsely inside <regex> under the sanitizers.
    const std::string listening = "lpu serve: listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string text = err();
        const auto at = text.find(listening);
        const auto end = at == std::string::npos ? at : text.find('\n', at);
        if (end != std::string::npos) {  // the whole line is there
            port_ = std::stoi(text.substr(at + listening.size(), end - at - listening.size()));
            return;
        }
        if (!running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("lpu serve " << arguments << " did not listen; its stderr:\n" << err());
}

ServeProcess::~ServeProcess() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);  // the group: a launcher's children too
    if (!exit_code_) reap(/*wait=*/true);
}

std::unique_ptr<httplib::Client> ServeProcess::client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client->set_read_timeout(120, 0);
    client->set_connection_timeout(10, 0);
    return client;
}

std::optional<int> ServeProcess::reap(bool wait) const {
    if (exit_code_) return exit_code_;
    int status = 0;
    if (::waitpid(pid_, &status, wait ? 0 : WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return exit_code_;
}

bool ServeProcess::running() const { return !reap(/*wait=*/false); }

int ServeProcess::stop(int signal_number, std::chrono::seconds timeout) {
    if (!exit_code_) ::kill(pid_, signal_number);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (const auto code = reap(/*wait=*/false)) return *code;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

std::string ServeProcess::err() const { return slurp(dir_.file("err")); }

long ServeProcess::rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

JsonAnswer post_text(httplib::Client& client, const std::string& path, const std::string& body) {
    const auto result = client.Post(path.c_str(), body, "application/json");
    REQUIRE(result);
    JsonAnswer answer;
    answer.status = result->status;
    answer.retry_after = result->get_header_value("Retry-After");
    answer.body = nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    INFO(result->body);
    REQUIRE_FALSE(answer.body.is_discarded());
    return answer;
}

JsonAnswer post_json(httplib::Client& client, const std::string& path, const nlohmann::json& body) {
    return post_text(client, path, body.dump());
}

httplib::Result post_receiving(httplib::Client& client, const std::string& path, const std::string& body,
                               std::function<bool(const char* data, std::size_t size)> receive) {
    httplib::Request request;
    request.method = "POST";
    request.path = path;
    request.body = body;
    request.set_header("Content-Type", "application/json");
    request.content_receiver = [receive = std::move(receive)](const char* data, std::size_t size, std::uint64_t,
                                                              std::uint64_t) { return receive(data, size); };
    return client.send(request);
}

StreamedAnswer post_stream(httplib::Client& client, const std::string& path, nlohmann::json body) {
    body["stream"] = true;
    StreamedAnswer answer;
    std::string buffer;
    const bool chat = path.find("chat") != std::string::npos;
    const auto result = post_receiving(client, path, body.dump(), [&](const char* data, std::size_t size) {
            buffer.append(data, size);
            for (auto end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
                const std::string event = buffer.substr(0, end);
                buffer.erase(0, end + 2);
                if (event.rfind("data: ", 0) != 0) continue;  // an SSE comment
                const std::string data = event.substr(6);
                if (data == "[DONE]") {
                    answer.done = true;
                    continue;
                }
                answer.events.push_back(nlohmann::json::parse(data));
                const auto& choices = answer.events.back()["choices"];
                if (choices.is_array() && !choices.empty()) {
                    const auto& piece = chat ? choices[0]["delta"]["content"] : choices[0]["text"];
                    if (piece.is_string()) answer.text += piece.get<std::string>();
                }
            }
            return true;
        });
    if (!result) {
        answer.failure = "POST " + path + ": " + httplib::to_string(result.error());
        return answer;
    }
    answer.status = result->status;
    return answer;
}

double metric(httplib::Client& client, const std::string& name) {
    const auto metrics = client.Get("/metrics");
    REQUIRE(metrics);
    const auto at = metrics->body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(metrics->body.substr(at + name.size() + 2));
}

std::string metrics_holding(httplib::Client& client, const std::string& line) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
        const auto metrics = client.Get("/metrics");
        REQUIRE(metrics);
        REQUIRE(metrics->status == 200);
        if (metrics->body.find(line) != std::string::npos || std::chrono::steady_clock::now() > deadline) return metrics->body;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

RunCompletion lpu_run_completion(const std::string& model, const std::string& prompt, int max_tokens,
                                 const std::string& flags) {
    // Prompt tokens whose ids are known first: `lpu model tokenize` would do,
    // but --json's prompt_tokens says it in the same run.
    auto run_with = [&](int steps) {
        const auto result = run_lpu("run --model " + model + " --prompt '" + prompt + "' --temperature 0 --steps " +
                                    std::to_string(steps) + " --json " + flags);
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
        return nlohmann::json::parse(result.out);
    };
    const auto probe = run_with(1);
    const int prompt_tokens = static_cast<int>(probe["prompt_tokens"].size());
    // --steps counts positions, prompt included: the prompt's positions but
    // the last give prompt tokens, the rest completion tokens.
    const auto run = run_with(prompt_tokens - 1 + max_tokens);
    RunCompletion completion;
    completion.prompt_tokens = prompt_tokens;
    completion.completion_tokens = static_cast<int>(run["tokens"].size()) - (prompt_tokens - 1);
    const std::string text = run["text"].get<std::string>();
    REQUIRE(text.rfind(prompt, 0) == 0);
    completion.text = text.substr(prompt.size());
    return completion;
}

}  // namespace lpu::test
