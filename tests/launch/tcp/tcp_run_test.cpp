// `lpu run --workers` over TCP on loopback: the story from 2 and 4 workers is
// reference A with the fabric figures of the same run in one process; a
// worker with another model refuses the job at the handshake and stays up; a
// worker killed (20 times), or stopped, mid-story makes every other process
// exit non-zero naming it, never a hang (a script timeout, and CTest's, fail one).
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

// `victim`: empty, a worker number, or "int" to interrupt the coordinator;
// `signal`: KILL or STOP; `flags` go to every process; `environment` prefixes the script.
TcpRun tcp_run(const std::string& model, const std::string& worker_model, int workers, const std::string& victim = "",
               const std::string& signal = "KILL", const std::string& flags = "", const std::string& environment = "") {
    std::string command = environment + " bash " + lpu::test::source_dir().string() + "/tests/launch/tcp/tcp_run.sh ";
    command.append(lpu::test::lpu_binary()).append(" ").append(model).append(" ").append(worker_model);
    command.append(" ").append(std::to_string(workers));
    if (!victim.empty()) command.append(" ").append(victim).append(" ").append(signal).append(" ").append(flags);
    const auto result = lpu::test::run_shell(command);
    REQUIRE(result.exit_code == 0);
    return {result.out};
}

// The run ended by itself, non-zero, every surviving worker with exit 2.
void check_failed_run(const TcpRun& run, int workers, int victim) {
    const std::string coordinator = run.field("coordinator exit");
    CHECK(coordinator != "0");
    CHECK(coordinator != "124");  // ended by the timeout: a hang
    for (int w = 1; w <= workers; ++w) {
        if (w != victim) CHECK(run.field("worker " + std::to_string(w) + " exit") == "2");
    }
    CHECK(run.out.find("worker " + std::to_string(victim) + " (127.0.0.1:") != std::string::npos);
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

TEST_CASE("a worker started with another model refuses the job at the handshake and stays up", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto other = lpu::test::unique_temp_path("other-model", ".gguf");
    lpu::model::write_synthetic_model(lpu::model::synthetic_preset("tiny"), other.string());
    const TcpRun run = tcp_run(gguf, other.string(), 1, "", "", "", "STAY_UP=1");
    CAPTURE(run.out);
    CHECK(run.field("coordinator exit") == "2");
    CHECK(run.out.find("error: worker 1 (127.0.0.1:") != std::string::npos);
    CHECK(run.out.find("refused the job: plan was compiled for model") != std::string::npos);
    // The worker said why, dropped the connection and listens on.
    CHECK(run.field("worker 1 exit") == "running");
    CHECK(run.out.find("dropped the connection from 127.0.0.1:") != std::string::npos);
    std::remove(other.c_str());
}

namespace {

// Kills a worker in attempts [first, last) of one sequence: 2 and 4 workers in
// turn, each of them the victim in turn.
void kill_workers_midway(const std::string& gguf, int first, int last) {
    for (int attempt = first; attempt < last; ++attempt) {
        const int workers = attempt % 2 == 0 ? 2 : 4;
        const int victim = 1 + attempt % workers;
        CAPTURE(attempt, workers, victim);
        const TcpRun run = tcp_run(gguf, gguf, workers, std::to_string(victim));
        CAPTURE(run.out);
        check_failed_run(run, workers, victim);
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

TEST_CASE("a TCP worker stopped mid-generation (SIGSTOP): the others exit non-zero naming it", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const TcpRun run = tcp_run(gguf, gguf, 2, "2", "STOP", "--peer-timeout 2");
    CAPTURE(run.out);
    check_failed_run(run, 2, 2);
    CHECK(run.out.find("(127.0.0.1:") != std::string::npos);
    CHECK(run.out.find("has sent nothing for 2 s (stopped or hung?)") != std::string::npos);
}

TEST_CASE("SIGSTOP of each TCP worker with the default timeout: the run ends, naming it", "[launch][tcp][slow]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    for (int victim : {1, 2}) {
        CAPTURE(victim);
        const TcpRun run = tcp_run(gguf, gguf, 2, std::to_string(victim), "STOP");
        CAPTURE(run.out);
        check_failed_run(run, 2, victim);
        CHECK(run.out.find("has sent nothing for 10 s (stopped or hung?)") != std::string::npos);
    }
}

TEST_CASE("Ctrl-C on the coordinator stops every worker", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const TcpRun run = tcp_run(gguf, gguf, 2, "int");
    CAPTURE(run.out);
    CHECK(run.field("coordinator exit") == "130");  // 128 + SIGINT
    CHECK(run.out.find("lpu: interrupted (SIGINT), stopping") != std::string::npos);
    for (int w = 1; w <= 2; ++w) CHECK(run.field("worker " + std::to_string(w) + " exit") == "2");
}

TEST_CASE("a qwen2 model with scaled RoPE over 2 TCP workers and under mpirun -n 2: the one-chip text",
          "[launch][tcp][mpi][architectures]") {
    lpu::model::SyntheticShape shape;
    shape.architecture = lpu::model::Architecture::Qwen2;
    shape.rope_scale_linear = 2.0f;
    shape.tokenizer = lpu::model::TokenizerModel::BytePairs;
    const auto path = lpu::test::unique_temp_path("tcp-qwen2", ".gguf").string();
    lpu::model::write_synthetic_model(shape, path);
    const auto one_chip = lpu::test::run_lpu("run --model " + path + " --temperature 0 --steps 256");
    REQUIRE(one_chip.exit_code == 0);

    const TcpRun run = tcp_run(path, path, 2);  // tp 4 x pp 2
    CAPTURE(run.out);
    CHECK(run.field("coordinator exit") == "0");
    CHECK(run.out.find("--- stdout\n" + one_chip.out + "--- stderr") != std::string::npos);

    const auto mpi = lpu::test::run_shell(
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun "
        "--oversubscribe -n 2 " + lpu::test::lpu_binary() + " run --model " + path +
        " --temperature 0 --steps 256 --tp 2 --pp 2");
    CAPTURE(mpi.err);
    CHECK(mpi.exit_code == 0);
    CHECK(mpi.out == one_chip.out);
    std::remove(path.c_str());
}
