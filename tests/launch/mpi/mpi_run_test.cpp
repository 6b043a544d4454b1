// `lpu run` under mpirun: the chips of one plan spread over 1 to 8 ranks give
// reference A and the fabric figures of the same run in one process, and a
// rank killed (or stopped) mid-story ends the whole job, with the dead (or
// silent) rank named, never a hang (a script timeout, and CTest's, fail one).
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/support/fabric_report.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/reference_outputs.hpp"
#include "tests/support/run_command.hpp"

using lpu::test::run_shell;

namespace {

// Open MPI leaves its own allocations (of dlopened plugins) at exit, which
// LeakSanitizer would report in the sanitizer build; ASan's other checks stay on.
const std::string kMpiEnvironment =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 ";
const std::string kMpirun = kMpiEnvironment + "timeout 120 mpirun --oversubscribe ";

}  // namespace

// One run per rank count checks everything a run must give: the story, the
// placement, and every figure of the same run in one process (the fabric's,
// and each chip's cycle account, wherever the chip ran). Odd rank counts print
// the streamed text, even ones JSON.
TEST_CASE("mpirun -n 1, 2, 4, 8: tp 4 x pp 2 prints reference A and the figures of the run in one process",
          "[launch][mpi][reference][fabric]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    static const auto in_process = lpu::test::in_process_story(gguf, "--steps 256 --json");
    REQUIRE(in_process.exit_code == 0);
    const nlohmann::json expected = nlohmann::json::parse(in_process.out).at("stats");
    CHECK(expected.at("fabric").at("steps") == 256);
    CHECK(expected.at("fabric").at("transfers").get<int>() > 0);
    CHECK(expected.at("fabric").at("violations") == 0);
    const int ranks = GENERATE(1, 2, 4, 8);
    const bool json = ranks % 2 == 0;
    CAPTURE(ranks, json);
    const auto result = run_shell(kMpirun + "-n " + std::to_string(ranks) + " " + lpu::test::lpu_binary() +
                                  " run --model " + gguf + " --temperature 0 --steps 256 --tp 4 --pp 2 --print-placement" +
                                  (json ? " --json" : ""));
    CAPTURE(result.err);
    REQUIRE(result.exit_code == 0);
    if (json) {
        const nlohmann::json report = nlohmann::json::parse(result.out);  // printed once, by rank 0
        CHECK(report.at("tokens").get<std::vector<int>>() == lpu::test::kReferenceTokensA);
        CHECK(report.at("text") == lpu::test::kReferenceTextA);
        const nlohmann::json& stats = report.at("stats");
        CHECK(stats.at("fabric") == expected.at("fabric"));
        CHECK(stats.at("emulated_cycles") == expected.at("emulated_cycles"));
        CHECK(stats.at("cycles") == expected.at("cycles"));
        CHECK(stats.at("sram") == expected.at("sram"));
    } else {
        CHECK(result.out == lpu::test::kReferenceTextA + "\n");  // printed once, by rank 0
    }
    CHECK(result.err.find(std::to_string(ranks) + " ranks") != std::string::npos);
    CHECK(result.err.find("rank " + std::to_string(ranks - 1) + " (host 0") != std::string::npos);
    CHECK(lpu::test::fabric_line(result.err) == lpu::test::fabric_line(in_process.err));
}

TEST_CASE("mpirun -n 2, 3, 4: the collectives executor over the MPI transport, exact", "[launch][mpi]") {
    const int ranks = GENERATE(2, 3, 4);
    CAPTURE(ranks);
    const auto result =
        run_shell(kMpirun + "-n " + std::to_string(ranks) + " " + lpu::test::mpi_executor_check_binary());
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out == "ok\n");
}

TEST_CASE("mpirun with a broken flag: every rank refuses it, exit 2", "[launch][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto result = run_shell(kMpirun + "-n 2 " + lpu::test::lpu_binary() + " run --model " + gguf +
                                  " --tp 16 --pp 1");
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("error: rank") != std::string::npos);
    CHECK(result.err.find("n_heads") != std::string::npos);
}

namespace {

// Runs tests/launch/mpi/kill_one_rank.sh (`victim`: a rank index, or "int" for
// Ctrl-C on mpirun; `signal`: KILL or STOP; `flags` go to lpu run) and checks
// that the job ended non-zero by itself, not by the script's timeout (a
// hang). Returns the script's report.
std::string end_job_midway(const std::string& gguf, int ranks, const std::string& victim,
                           const std::string& signal = "KILL", const std::string& flags = "") {
    const std::string script = lpu::test::source_dir().string() + "/tests/launch/mpi/kill_one_rank.sh";
    const auto result = run_shell("bash " + script + " " + lpu::test::lpu_binary() + " " + gguf + " " +
                                  std::to_string(ranks) + " " + victim + " " + signal + " " + flags);
    CAPTURE(result.out);
    REQUIRE(result.exit_code == 0);
    const auto exit_at = result.out.find("exit=");
    REQUIRE(exit_at != std::string::npos);
    const int code = std::stoi(result.out.substr(exit_at + 5));
    CHECK(code != 0);
    CHECK(code != 124);  // not ended by the timeout: a hang
    return result.out;
}

// Kills attempts [first, last) of one sequence: 4 and 2 ranks in turn, each
// rank of them the victim in turn (the head's and the others').
void kill_ranks_midway(const std::string& gguf, int first, int last) {
    for (int attempt = first; attempt < last; ++attempt) {
        const int ranks = attempt % 2 == 0 ? 4 : 2;
        const int victim = attempt % ranks;
        CAPTURE(attempt, ranks, victim);
        const std::string report = end_job_midway(gguf, ranks, std::to_string(victim));
        CAPTURE(report);
        CHECK(report.find("process rank " + std::to_string(victim)) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("a rank killed mid-generation ends the job, naming it: 4 kills", "[launch][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    kill_ranks_midway(gguf, 0, 4);
}

TEST_CASE("a rank killed mid-generation ends the job, naming it: 16 more kills, no hang", "[launch][mpi][slow]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    kill_ranks_midway(gguf, 4, 20);
}

namespace {

// A stopped rank is alive but silent: its neighbours notice that its
// heartbeats stopped and end the job, naming it.
void stop_one_rank(const std::string& gguf, int ranks, int victim, const std::string& timeout_flag,
                   const std::string& silence) {
    CAPTURE(ranks, victim);
    const std::string report = end_job_midway(gguf, ranks, std::to_string(victim), "STOP", timeout_flag);
    CAPTURE(report);
    CHECK(report.find("rank " + std::to_string(victim) + " (host '") != std::string::npos);
    CHECK(report.find(silence) != std::string::npos);
}

}  // namespace

TEST_CASE("a rank stopped mid-generation (SIGSTOP) ends the job, named by its neighbours", "[launch][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    stop_one_rank(gguf, 4, 2, "--peer-timeout 2", "has sent nothing for 2 s (stopped or hung?)");
}

TEST_CASE("SIGSTOP of each rank of mpirun -n 4 with the default timeout: the job ends, naming it", "[launch][mpi][slow]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    for (int victim : {0, 3, 1}) stop_one_rank(gguf, 4, victim, "", "has sent nothing for 10 s (stopped or hung?)");
}

TEST_CASE("Ctrl-C on mpirun stops every rank", "[launch][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const std::string report = end_job_midway(gguf, 2, "int");
    CAPTURE(report);
    // mpirun forwards the interrupt to the ranks as SIGTERM.
    CHECK(report.find("lpu: terminated (SIGTERM), stopping") != std::string::npos);
}

TEST_CASE("lpu launch prints the mpirun command for a plan, and runs it with --exec on a hostfile's slots",
          "[launch][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const std::string plan = "/tmp/lpu-launch-test-" + std::to_string(::getpid()) + ".lpuplan";
    const std::string hostfile = "/tmp/lpu-launch-test-" + std::to_string(::getpid()) + ".hosts";
    REQUIRE(lpu::test::run_lpu("compile --model " + gguf + " --tp 4 --pp 2 -o " + plan).exit_code == 0);
    { std::ofstream(hostfile) << "localhost slots=2\n"; }

    const auto printed = lpu::test::run_lpu("launch --plan " + plan + " --model " + gguf +
                                            " --hosts a:1,b:3 -- --temperature 0 --prompt 'Once upon'");
    REQUIRE(printed.exit_code == 0);
    CHECK(printed.out == "mpirun -n 2 --map-by slot --bind-to none --host a:1,b:3 lpu run --model " + gguf +
                             " --plan " + plan + " --print-placement --temperature 0 --prompt 'Once upon'\n");
    const auto from_hostfile = lpu::test::run_lpu("launch --plan " + plan + " --model " + gguf + " --hostfile " + hostfile);
    REQUIRE(from_hostfile.exit_code == 0);
    CHECK(from_hostfile.out == "mpirun -n 2 --map-by slot --bind-to none --hostfile " + hostfile +
                                   " lpu run --model " + gguf + " --plan " + plan + " --print-placement\n");

    // The hostfile's two slots on this machine: the job fits without --oversubscribe.
    const auto executed =
        run_shell(kMpiEnvironment + lpu::test::lpu_binary() + " launch --plan " + plan + " --model " + gguf +
                  " --hostfile " + hostfile + " --lpu " + lpu::test::lpu_binary() + " --exec -- --temperature 0 --steps 256");
    CAPTURE(executed.err);
    REQUIRE(executed.exit_code == 0);
    CHECK(executed.out.find(lpu::test::kReferenceTextA) != std::string::npos);
    CHECK(executed.err.find("2 ranks") != std::string::npos);

    const auto bad = lpu::test::run_lpu("launch --plan " + plan + " --model " + gguf + " --ranks 9");
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--ranks 9") != std::string::npos);
    const auto both = lpu::test::run_lpu("launch --plan " + plan + " --model " + gguf + " --hosts a:2 --hostfile " + hostfile);
    CHECK(both.exit_code == 2);
    CHECK(both.err.find("give --hosts or --hostfile, not both") != std::string::npos);
    std::remove(plan.c_str());
    std::remove(hostfile.c_str());
}
