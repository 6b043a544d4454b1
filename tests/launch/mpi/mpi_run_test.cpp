// `lpu run` under mpirun: the chips of one plan spread over 1 to 8 ranks give
// reference A and the fabric figures of the same run in one process, and a
// rank killed mid-story ends the whole job quickly, with the dead rank named,
// never a hang.
#include <catch2/catch.hpp>

#include <cstdio>
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

TEST_CASE("mpirun -n 1, 2, 4, 8: tp 4 x pp 2 prints reference A", "[launch][mpi][reference]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const int ranks = GENERATE(1, 2, 4, 8);
    CAPTURE(ranks);
    const auto result = run_shell(kMpirun + "-n " + std::to_string(ranks) + " " + lpu::test::lpu_binary() +
                                  " run --model " + gguf + " --temperature 0 --steps 256 --tp 4 --pp 2 --print-placement");
    CAPTURE(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == lpu::test::kReferenceTextA + "\n");  // printed once, by rank 0
    CHECK(result.err.find(std::to_string(ranks) + " ranks") != std::string::npos);
    CHECK(result.err.find("rank " + std::to_string(ranks - 1) + " (host 0") != std::string::npos);
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

TEST_CASE("mpirun -n 1, 2, 4, 8: the fabric figures of the run in one process", "[launch][mpi][fabric]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    static const auto in_process = lpu::test::in_process_story(gguf, "--json");
    REQUIRE(in_process.exit_code == 0);
    const nlohmann::json expected = nlohmann::json::parse(in_process.out).at("stats").at("fabric");
    CHECK(expected.at("steps") == 256);
    CHECK(expected.at("transfers").get<int>() > 0);
    CHECK(expected.at("violations") == 0);
    const int ranks = GENERATE(1, 2, 4, 8);
    CAPTURE(ranks);
    const auto result = run_shell(kMpirun + "-n " + std::to_string(ranks) + " " + lpu::test::lpu_binary() +
                                  " run --model " + gguf + " --temperature 0 --tp 4 --pp 2 --json");
    CAPTURE(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(nlohmann::json::parse(result.out).at("stats").at("fabric") == expected);
    CHECK(lpu::test::fabric_line(result.err) == lpu::test::fabric_line(in_process.err));
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
// Ctrl-C on mpirun) and checks that the job ended non-zero within 10 s, not by
// the script's 60 s timeout. Returns the script's report.
std::string end_job_midway(const std::string& gguf, int ranks, const std::string& victim) {
    const std::string script = std::string(LPU_SOURCE_DIR) + "/tests/launch/kill_one_rank.sh";
    const auto result = run_shell("bash " + script + " " + lpu::test::lpu_binary() + " " + gguf + " " +
                                  std::to_string(ranks) + " " + victim);
    CAPTURE(result.out);
    REQUIRE(result.exit_code == 0);
    const auto exit_at = result.out.find("exit=");
    const auto seconds_at = result.out.find("seconds=");
    REQUIRE(exit_at != std::string::npos);
    REQUIRE(seconds_at != std::string::npos);
    const int code = std::stoi(result.out.substr(exit_at + 5));
    CHECK(code != 0);
    CHECK(code != 124);  // not ended by the 60 s timeout: a hang
    CHECK(std::stod(result.out.substr(seconds_at + 8)) < 10.0);
    return result.out;
}

}  // namespace

TEST_CASE("a rank killed mid-generation ends the job within 10 s, naming it; 20 times, no hang",
          "[launch][mpi][slow]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    for (int attempt = 0; attempt < 20; ++attempt) {
        const int ranks = attempt % 2 == 0 ? 4 : 2;
        const int victim = attempt % ranks;
        CAPTURE(attempt, ranks, victim);
        const std::string report = end_job_midway(gguf, ranks, std::to_string(victim));
        CAPTURE(report);
        CHECK(report.find("process rank " + std::to_string(victim)) != std::string::npos);
    }
}

TEST_CASE("Ctrl-C on mpirun stops every rank within 10 s", "[launch][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const std::string report = end_job_midway(gguf, 2, "int");
    CAPTURE(report);
    // mpirun forwards the interrupt to the ranks as SIGTERM.
    CHECK(report.find("lpu: terminated (SIGTERM), stopping") != std::string::npos);
}

TEST_CASE("lpu launch prints the mpirun command for a plan, and runs it with --exec", "[launch][mpi]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const std::string plan = "/tmp/lpu-launch-test-" + std::to_string(::getpid()) + ".lpuplan";
    REQUIRE(lpu::test::run_lpu("compile --model " + gguf + " --tp 4 --pp 2 -o " + plan).exit_code == 0);

    const auto printed = lpu::test::run_lpu("launch --plan " + plan + " --model " + gguf +
                                            " --hosts a:1,b:3 -- --temperature 0 --prompt 'Once upon'");
    REQUIRE(printed.exit_code == 0);
    CHECK(printed.out == "mpirun -n 2 --map-by slot --host a:1,b:3 lpu run --model " + gguf + " --plan " + plan +
                             " --print-placement --temperature 0 --prompt 'Once upon'\n");

    const auto executed =
        run_shell(kMpiEnvironment + lpu::test::lpu_binary() + " launch --plan " + plan + " --model " + gguf + " --lpu " +
                  lpu::test::lpu_binary() + " --exec -- --temperature 0 --steps 256");
    CAPTURE(executed.err);
    REQUIRE(executed.exit_code == 0);
    CHECK(executed.out.find(lpu::test::kReferenceTextA) != std::string::npos);
    CHECK(executed.err.find("2 ranks") != std::string::npos);

    const auto bad = lpu::test::run_lpu("launch --plan " + plan + " --model " + gguf + " --ranks 9");
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--ranks 9") != std::string::npos);
    std::remove(plan.c_str());
}
