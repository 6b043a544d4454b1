// `lpu run`'s system flags, each shown to take effect: --chips picks a grid of
// that many chips, --topology the system it runs on, --collective the TP
// all-reduce, --fabric-seed the crystals behind the fabric figures; and
// LPU_THREADS changes no bit of output. Every run of the story prints
// reference A.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/fabric_report.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/reference_outputs.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

using lpu::test::run_lpu;
using nlohmann::json;

namespace {

// The story, greedy, 256 positions, with `flags`; its JSON report.
json story(const std::string& model, const std::string& flags, const std::string& environment = "") {
    const auto result = lpu::test::run_shell(environment + " " + lpu::test::lpu_binary() + " run --model " + model +
                                             " --temperature 0 --steps 256 --json " + flags);
    INFO(flags << "\nstderr: " << result.err);
    REQUIRE(result.exit_code == 0);
    const json report = json::parse(result.out);
    CHECK(report.at("tokens").get<std::vector<int>>() == lpu::test::kReferenceTokensA);
    return report;
}

std::int64_t emulated_cycles(const json& report) { return report.at("stats").at("emulated_cycles").get<std::int64_t>(); }

}  // namespace

TEST_CASE("lpu run --chips N runs the story on a grid of N chips", "[launch][run][reference]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const int chips = GENERATE(2, 4);
    CAPTURE(chips);
    const json report = story(gguf, "--chips " + std::to_string(chips));
    CHECK(report.at("stats").at("chips") == chips);
    CHECK(report.at("stats").at("cycles").size() == static_cast<std::size_t>(chips));  // a cycle account per chip
    const std::string grid = report.at("stats").at("grid");
    CHECK(grid.find(" on fc:" + std::to_string(chips)) != std::string::npos);
}

TEST_CASE("lpu run --topology runs the plan on that system", "[launch][run][reference]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const json fc = story(gguf, "--tp 4 --pp 2");
    const json ring = story(gguf, "--tp 4 --pp 2 --topology ring:8");
    CHECK(fc.at("stats").at("grid") == "tp 4 x pp 2 on fc:8");
    CHECK(ring.at("stats").at("grid") == "tp 4 x pp 2 on ring:8");
    // A ring's all-reduces take more hops than a fully connected node's.
    CHECK(emulated_cycles(ring) > emulated_cycles(fc));
}

TEST_CASE("lpu run --collective lowers the TP all-reduces with that algorithm", "[launch][run][reference]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const json ring = story(gguf, "--tp 4 --pp 1 --collective ring");
    const json direct = story(gguf, "--tp 4 --pp 1 --collective direct");
    // The same tokens over different transfer schedules, so different step times.
    CHECK(emulated_cycles(ring) != emulated_cycles(direct));
    const auto unknown = run_lpu("run --model " + gguf + " --tp 4 --pp 1 --collective nccl");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("unknown collective algorithm 'nccl'") != std::string::npos);
}

TEST_CASE("lpu run --fabric-seed draws the crystals behind the fabric figures", "[launch][run][fabric]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const json first = story(gguf, "--tp 2 --pp 2 --fabric-seed 1").at("stats").at("fabric");
    const json again = story(gguf, "--tp 2 --pp 2 --fabric-seed 1").at("stats").at("fabric");
    const json other = story(gguf, "--tp 2 --pp 2 --fabric-seed 2").at("stats").at("fabric");
    CHECK(first == again);
    CHECK(first != other);
    CHECK(first.at("transfers") == other.at("transfers"));  // the same plan, other crystals
}

TEST_CASE("LPU_THREADS changes no bit of output", "[launch][run]") {
    // dim 512, vocabulary 4096: products big enough to be split over threads
    // (the thread count itself: tests/runtime/kernels/thread_pool_test.cpp).
    const auto model = lpu::test::unique_temp_path("threads", ".gguf");
    REQUIRE(run_lpu("model synth --preset compiler-test -o " + model.string()).exit_code == 0);
    std::vector<json> runs;
    for (const char* threads : {"1", "2", "3"}) {
        const auto result = lpu::test::run_shell(std::string("LPU_THREADS=") + threads + " " +
                                                 lpu::test::lpu_binary() + " run --model " + model.string() +
                                                 " --steps 12 --temperature 0 --ignore-eos --json");
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
        runs.push_back(json::parse(result.out));
    }
    for (const json& run : runs) {
        CHECK(run.at("tokens") == runs.front().at("tokens"));
        CHECK(run.at("stats").at("emulated_cycles") == runs.front().at("stats").at("emulated_cycles"));
    }
    const auto malformed = lpu::test::run_shell("LPU_THREADS=lots " + lpu::test::lpu_binary() + " run --model " +
                                                model.string() + " --steps 4");
    CHECK(malformed.exit_code == 2);
    CHECK(malformed.err.find("error: LPU_THREADS='lots'") == 0);
    std::filesystem::remove(model);
}
