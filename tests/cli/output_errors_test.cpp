// Files and paths that go wrong are input errors naming the path (exit 2), and
// nothing half-written is left behind (issue 13: F6, F7, F8).
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

void require_input_error(const CommandResult& result, const std::string& says) {
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find(says) != std::string::npos);
    CHECK(result.err.find("internal") == std::string::npos);
}

}  // namespace

TEST_CASE("lpu model synth refuses a model larger than the free disk, before writing", "[cli][model]") {
    const TempDir dir("cli-output");
    const auto result = run_lpu("model synth --dim 65536 --layers 1000 --vocab 1000000 -o " + (dir.path() / "s.gguf").string());
    require_input_error(result, "would take");
    CHECK(dir.entries() == 0);
}

TEST_CASE("paths the file system refuses are input errors naming them", "[cli]") {
    require_input_error(run_lpu("sweep --model-preset llama2-7b --chips 8 --no-plots -o /dev/null/x"), "/dev/null/x");
    require_input_error(run_lpu("model synth -o /dev/null/x.gguf"), "/dev/null/x.gguf");
    require_input_error(run_lpu("sim --model-preset llama2-7b --chips 8 --spec " + std::string(300, 'a')),
                        "neither a preset");
}

TEST_CASE("a word where a number belongs gets a short message", "[cli]") {
    const auto result = run_lpu("sim --model-preset llama2-7b --prompt-tokens abc");
    require_input_error(result, "--prompt-tokens: must be a positive number, got 'abc'");
    CHECK(result.err.size() < 200);
}

TEST_CASE("a collective schedule too large to build is refused before it is built", "[cli][collectives]") {
    // A ring over 10,440 chips: 2 x 10,439 x 10,440 transfers, far above the limit.
    require_input_error(run_lpu("bench collectives --topology dragonfly:145 --bytes 4K --skip-host --algo ring"),
                        "more than the limit");
}

TEST_CASE("Ctrl-C during lpu model synth leaves no file behind", "[cli][model]") {
    const TempDir dir("cli-output");
    const auto target = dir.path() / "big.gguf";
    // About 600 MB of F32 weights: long enough to be interrupted while writing.
    const std::string command = lpu_binary() + " model synth --dim 2048 --layers 12 --hidden 5632 --vocab 32000 -o " +
                                target.string() + " 2>/dev/null & pid=$!; " +
                                // Wait until the temporary file exists, then interrupt.
                                "for i in $(seq 1 6000); do ls " + dir.path().string() +
                                " | grep -q partial && break; sleep 0.01; done; kill -INT $pid; wait $pid; echo exit=$?";
    const auto result = run_shell(command);
    INFO(result.out);
    CHECK(result.out.find("exit=130") != std::string::npos);
    CHECK(dir.entries() == 0);
}

}  // namespace lpu::test
