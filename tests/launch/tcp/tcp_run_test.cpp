// `lpu run --workers` over TCP on loopback: the story from 2 and 4 workers is
// reference A with the fabric figures of the same run in one process, a
// worker with another model is refused at the handshake, and a worker killed
// mid-story makes every other process exit non-zero naming it (20 times,
// never a hang: a script timeout, and CTest's, fail one).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "runtime/model/synthetic_model.hpp"
#include "tests/support/fabric_report.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/reference_outputs.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace {

struct TcpRun {
    std::string out;  // the script's report (see tcp_run.sh)
    std::string field(std::string key) const {
        key.push_back('=');  // (appended: GCC 12 misreports `key + "="` under -Wrestrict)
        const auto at = out.find(key);
        return at == std::string::npos ? "" : out.substr(at + key.size(), out.find('\n', at) - at - key.size());
    }
};

// `kill`: empty, a worker number to kill, or "int" to interrupt the coordinator.
TcpRun tcp_run(const std::string& model, const std::string& worker_model, int workers, const std::string& kill = "") {
    std::string command = "bash " + std::string(LPU_SOURCE_DIR) + "/tests/launch/tcp/tcp_run.sh ";
    command.append(lpu::test::lpu_binary()).append(" ").append(model).append(" ").append(worker_model);
    command.append(" ").append(std::to_string(workers));
    if (!kill.empty()) command.append(" ").append(kill);
    const auto result = lpu::test::run_shell(command);
    REQUIRE(result.exit_code == 0);
    return {result.out};
}

}  // namespace

TEST_CASE("2 and 4 TCP workers: tp 4 x pp 2 prints reference A", "[launch][tcp][reference]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const int workers = GENERATE(2, 4);
    CAPTURE(workers);
    const TcpRun run = tcp_run(gguf, gguf, workers);
    CAPTURE(run.out);
    CHECK(run.field("coordinator exit") == "0");
    for (int w = 1; w <= workers; ++w) CHECK(run.field("worker " + std::to_string(w) + " exit") == "0");
    CHECK(run.out.find("--- stdout\n" + lpu::test::kReferenceTextA + "\n--- stderr") != std::string::npos);
    CHECK(run.out.find("coordinator + " + std::to_string(workers) + " TCP workers") != std::string::npos);
    static const auto in_process = lpu::test::in_process_story(gguf, "--steps 256");
    REQUIRE(in_process.exit_code == 0);
    REQUIRE_FALSE(lpu::test::fabric_line(in_process.err).empty());
    CHECK(lpu::test::fabric_line(run.out) == lpu::test::fabric_line(in_process.err));
}

TEST_CASE("a worker started with another model refuses the job at the handshake", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto other = lpu::test::unique_temp_path("other-model", ".gguf");
    lpu::model::write_synthetic_model(lpu::model::synthetic_preset("tiny"), other.string());
    const TcpRun run = tcp_run(gguf, other.string(), 1);
    CAPTURE(run.out);
    CHECK(run.field("coordinator exit") == "2");
    CHECK(run.field("worker 1 exit") == "2");
    CHECK(run.out.find("error: worker 1 (127.0.0.1:") != std::string::npos);
    CHECK(run.out.find("refused the job: plan was compiled for model") != std::string::npos);
    std::remove(other.c_str());
}

namespace {

// Kills a worker in attempts [first, last) of one sequence: 2 and 4 workers in
// turn, each of them the victim in turn. Every other process must exit
// non-zero naming it, none by the script's timeout (a hang).
void kill_workers_midway(const std::string& gguf, int first, int last) {
    for (int attempt = first; attempt < last; ++attempt) {
        const int workers = attempt % 2 == 0 ? 2 : 4;
        const int victim = 1 + attempt % workers;
        CAPTURE(attempt, workers, victim);
        const TcpRun run = tcp_run(gguf, gguf, workers, std::to_string(victim));
        CAPTURE(run.out);
        const std::string coordinator = run.field("coordinator exit");
        CHECK(coordinator != "0");
        CHECK(coordinator != "124");  // ended by the timeout: a hang
        for (int w = 1; w <= workers; ++w) {
            if (w != victim) CHECK(run.field("worker " + std::to_string(w) + " exit") == "2");
        }
        CHECK(run.out.find("worker " + std::to_string(victim) + " (127.0.0.1:") != std::string::npos);
    }
}

}  // namespace

TEST_CASE("a TCP worker killed mid-generation: the others exit non-zero naming it; 4 kills", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    kill_workers_midway(gguf, 0, 4);
}

TEST_CASE("a TCP worker killed mid-generation: 16 more kills, no hang", "[launch][tcp][slow]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    kill_workers_midway(gguf, 4, 20);
}

TEST_CASE("Ctrl-C on the coordinator stops every worker", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const TcpRun run = tcp_run(gguf, gguf, 2, "int");
    CAPTURE(run.out);
    CHECK(run.field("coordinator exit") == "130");  // 128 + SIGINT
    CHECK(run.out.find("lpu: interrupted (SIGINT), stopping") != std::string::npos);
    for (int w = 1; w <= 2; ++w) CHECK(run.field("worker " + std::to_string(w) + " exit") == "2");
}
