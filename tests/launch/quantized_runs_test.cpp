// A model quantised as llama.cpp's default mix (`lpu model quantize --type
// q4_k_m`: Q4_K with Q6_K for the output, attn_v and ffn_down of some layers)
// and partitioned tp 2 x pp 2 or tp 4 x pp 2 gives one chip's text in one
// process, under mpirun and over TCP workers. Every shard keeps the 256-value
// super-blocks whole (dim 1024 and hidden 2048 over tp 4), so each rank reads
// the blocks one chip reads; only the order of the all-reduce's additions differs.
#include <catch2/catch.hpp>

#include <string>

#include "tests/launch/placed_run.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

using lpu::test::run_lpu;

namespace {

// The quantised model, made once per test process.
const std::string& q4_k_m_model() {
    static const lpu::test::TempDir dir("quantized-runs");
    static const std::string path = [] {
        const std::string f32 = dir.file("f32.gguf"), quantised = dir.file("q4_k_m.gguf");
        const auto synth = run_lpu("model synth --dim 1024 --hidden 2048 --layers 2 --heads 16 --kv-heads 4 "
                                   "--vocab 512 --context 256 --seed 3 -o " + f32);
        REQUIRE(synth.exit_code == 0);
        const auto quantize = run_lpu("model quantize --type q4_k_m " + f32 + " " + quantised);
        CAPTURE(quantize.err);
        REQUIRE(quantize.exit_code == 0);
        return quantised;
    }();
    return path;
}

}  // namespace

TEST_CASE("a Q4_K_M model over tp 2 x pp 2 and tp 4 x pp 2 gives one chip's text in one process, under mpirun and "
          "over TCP",
          "[launch][mpi][tcp][quantize]") {
    const std::string& model = q4_k_m_model();
    const auto info = run_lpu("model info --model " + model);
    REQUIRE(info.exit_code == 0);
    CHECK(info.out.find("Q4_K") != std::string::npos);
    CHECK(info.out.find("Q6_K") != std::string::npos);

    static const auto one_chip = run_lpu("run --model " + model + " --temperature 0 --steps 256");
    REQUIRE(one_chip.exit_code == 0);
    REQUIRE(one_chip.out.size() > 1);

    const std::string grid = GENERATE("--tp 2 --pp 2", "--tp 4 --pp 2");
    const std::string how = GENERATE(from_range(lpu::test::kPlacements));
    CAPTURE(grid, how);
    const auto run = lpu::test::placed_run(how, model, grid);
    CAPTURE(run.result.out, run.result.err);
    REQUIRE(run.result.exit_code == 0);
    CHECK(run.text == one_chip.out);
}
