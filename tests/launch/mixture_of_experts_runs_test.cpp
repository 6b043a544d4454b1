// A Mixtral-shaped model (dim 512, 4 layers, 8 experts, top 2, Q8_0) on an
// 8-chip grid (tp 4 x pp 2: each expert cut in 4, a stage of layers on each
// half). Each rank routes for itself, so no placement changes a choice: in one
// process, under mpirun and over TCP workers the grid prints the same text.
// Against one chip it generates the same greedy tokens until the two part at
// a near-tie, where the all-reduce's other order of additions may decide.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/launch/placed_run.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

using lpu::test::run_lpu;

namespace {

// The Mixtral-shaped model, made once per test process.
const std::string& moe_model() {
    static const lpu::test::TempDir dir("moe-runs");
    static const std::string path = [] {
        const std::string file = dir.file("moe.gguf");
        const auto synth = run_lpu("model synth --dim 512 --hidden 512 --layers 4 --heads 8 --kv-heads 4 --vocab 512 "
                                   "--context 256 --experts 8 --experts-used 2 --dtype q8_0 --seed 5 -o " + file);
        CAPTURE(synth.err);
        REQUIRE(synth.exit_code == 0);
        return file;
    }();
    return path;
}

const std::string kGrid = "--tp 4 --pp 2";

nlohmann::json greedy_json(const std::string& grid) {
    const auto run = run_lpu("run --model " + moe_model() + " --temperature 0 --steps 256 --json --top-logits 2 " + grid);
    CAPTURE(run.err);
    REQUIRE(run.exit_code == 0);
    return nlohmann::json::parse(run.out);
}

}  // namespace

TEST_CASE("a mixture of experts on 8 chips generates one chip's greedy tokens until a near-tie",
          "[launch][moe]") {
    const auto one_chip = greedy_json("");
    const auto grid = greedy_json(kGrid);
    const auto expected = one_chip.at("tokens").get<std::vector<int>>();
    const auto tokens = grid.at("tokens").get<std::vector<int>>();
    REQUIRE(tokens.size() == expected.size());
    std::size_t same = 0;
    while (same < tokens.size() && tokens[same] == expected[same]) ++same;
    INFO("the same " << same << " of " << tokens.size() << " tokens");
    if (same < tokens.size()) {
        // Where they part, one chip's top two logits lie within rounding of
        // each other (the grid's logits differ from one chip's by about 1e-3
        // of their size).
        const auto& top = one_chip.at("top_logits").at(same);
        const double first = top.at(0).at(1), second = top.at(1).at(1);
        CAPTURE(first, second);
        CHECK(first - second <= 1e-3 * std::abs(first));
    }
}

TEST_CASE("a mixture of experts on 8 chips prints the same text in one process, under mpirun and over TCP",
          "[launch][mpi][tcp][moe]") {
    static const auto one_process = lpu::test::placed_run("one process", moe_model(), kGrid);
    CAPTURE(one_process.result.err);
    REQUIRE(one_process.result.exit_code == 0);
    REQUIRE(one_process.text.size() > 1);
    const std::string how = GENERATE("mpirun -n 2", "2 TCP workers");
    CAPTURE(how);
    const auto run = lpu::test::placed_run(how, moe_model(), kGrid);
    CAPTURE(run.result.out, run.result.err);
    REQUIRE(run.result.exit_code == 0);
    CHECK(run.text == one_process.text);
}

TEST_CASE("a mixture of experts under mpirun reports each layer's expert load once, from the rank that routed it",
          "[launch][mpi][moe]") {
    const auto run = lpu::test::run_shell(
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun "
        "--oversubscribe -n 2 " + lpu::test::lpu_binary() + " run --model " + moe_model() +
        " --temperature 0 --steps 32 --tp 2 --pp 2 --json");
    CAPTURE(run.err);
    REQUIRE(run.exit_code == 0);
    const auto stats = nlohmann::json::parse(run.out).at("stats");
    const auto& layers = stats.at("expert_load");
    REQUIRE(layers.size() == 4);  // each from the rank holding its stage's TP rank 0
    for (std::size_t layer = 0; layer < layers.size(); ++layer) {
        CHECK(layers[layer].at("layer") == layer);
        const auto tokens = layers[layer].at("tokens").get<std::vector<std::int64_t>>();
        REQUIRE(tokens.size() == 8);
        CHECK(std::accumulate(tokens.begin(), tokens.end(), std::int64_t{0}) == 2 * stats.at("positions").get<std::int64_t>());
    }
    CHECK(run.err.find("lpu run: mixture of experts: tokens per expert") != std::string::npos);
}
