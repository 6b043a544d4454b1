// `lpu serve` with its chips in other processes: under mpirun (rank 0 serves
// HTTP, the other ranks follow its steps) and over `lpu worker` processes
// (this process the coordinator). Both answer every request with the greedy
// completion of a lone `lpu run` in one process, requests running side by
// side in the batch slots, and end cleanly on SIGTERM.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

#include "tests/serve/serve_process.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/temp_path.hpp"

using nlohmann::json;

namespace {

const std::vector<std::string> kPrompts = {"Once upon a time", "The dog", "Lily and her mom went"};

// Three requests at once (two slots: one waits), each checked against its lone run.
void check_answers(const lpu::test::ServeProcess& server, const std::string& gguf) {
    std::vector<std::future<lpu::test::JsonAnswer>> answers;
    for (const std::string& prompt : kPrompts) {
        answers.push_back(std::async(std::launch::async, [&server, prompt] {
            auto client = server.client();
            return lpu::test::post_json(*client, "/v1/completions",
                                        {{"prompt", prompt}, {"max_tokens", 24}, {"temperature", 0}});
        }));
    }
    for (std::size_t i = 0; i < kPrompts.size(); ++i) {
        CAPTURE(kPrompts[i]);
        const auto answer = answers[i].get();
        REQUIRE(answer.status == 200);
        CHECK(answer.body["choices"][0]["text"] == lpu::test::lpu_run_completion(gguf, kPrompts[i], 24).text);
    }
}

// `lpu worker` processes on free loopback ports, killed (if still running) when it goes.
class Workers {
public:
    Workers(const std::string& gguf, int count) {
        for (int i = 0; i < count; ++i) {
            const std::string port_file = dir_.file("port" + std::to_string(i));
            const pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                const std::string command = "exec " + lpu::test::lpu_binary() + " worker --model " + gguf +
                                            " --port-file " + port_file + " 2>" + dir_.file("err" + std::to_string(i));
                ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
                ::_exit(127);
            }
            pids_.push_back(pid);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
            std::string port;
            while (port.empty()) {
                REQUIRE(std::chrono::steady_clock::now() < deadline);
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                std::ifstream(port_file) >> port;
            }
            if (!endpoints_.empty()) endpoints_.push_back(',');
            endpoints_.append("127.0.0.1:").append(port);
        }
    }
    ~Workers() {
        for (const pid_t pid : pids_) {
            if (pid <= 0) continue;  // reaped already (kill(-1) would signal every process)
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    const std::string& endpoints() const { return endpoints_; }
    // Waits for every worker to end by itself; their exit codes.
    std::vector<int> exit_codes() {
        std::vector<int> codes;
        for (pid_t& pid : pids_) {
            int status = 0;
            ::waitpid(pid, &status, 0);
            codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            pid = -1;
        }
        return codes;
    }

private:
    lpu::test::TempDir dir_{"serve-workers"};
    std::vector<pid_t> pids_;
    std::string endpoints_;
};

}  // namespace

TEST_CASE("serve under mpirun -n 2: rank 0 answers as one process does, the other rank follows", "[serve][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    lpu::test::ServeProcess server("--model " + gguf + " --max-batch 2 --tp 2 --pp 2 --print-placement",
                                   "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 "
                                   "mpirun --oversubscribe --bind-to none -n 2");
    INFO(server.err());
    CHECK(server.err().find(", 2 ranks, batch slots 2") != std::string::npos);
    check_answers(server, gguf);
    // SIGTERM to mpirun reaches every rank: the job ends, and nothing is left running.
    CHECK(server.stop(SIGTERM, std::chrono::seconds(30)) >= 0);
}

TEST_CASE("serve over 2 TCP workers answers as one process does, and the workers end with it", "[serve][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    Workers workers(gguf, 2);
    lpu::test::ServeProcess server("--model " + gguf + " --max-batch 2 --tp 2 --pp 2 --workers " + workers.endpoints());
    CHECK(server.err().find("coordinator + 2 TCP workers, batch slots 2") != std::string::npos);
    check_answers(server, gguf);
    CHECK(server.stop(SIGTERM, std::chrono::seconds(30)) == 0);
    CHECK(workers.exit_codes() == std::vector<int>{0, 0});
}
