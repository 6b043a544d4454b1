// `lpu run` end to end: the reference outputs through the real binary, and its
// refusals of bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/paths.hpp"
#include "tests/support/reference_outputs.hpp"
#include "tests/support/run_command.hpp"

using lpu::test::run_lpu;

TEST_CASE("lpu run prints reference A for the GGUF and the llama2.c files", "[launch][run][reference]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    LPU_REQUIRE_SHARED_MODEL(bin, "stories260K.bin");
    LPU_REQUIRE_SHARED_MODEL(tokenizer, "tok512.bin");
    const auto from_gguf = run_lpu("run --model " + gguf + " --temperature 0 --steps 256");
    REQUIRE(from_gguf.exit_code == 0);
    CHECK(from_gguf.out == lpu::test::kReferenceTextA + "\n");  // the reference ends with one newline
    CHECK(from_gguf.err.find("emulated") != std::string::npos);
    CHECK(from_gguf.err.find("SRAM") != std::string::npos);

    const auto from_bin = run_lpu("run --model " + bin + " --tokenizer " + tokenizer + " --temperature 0 --steps 256");
    REQUIRE(from_bin.exit_code == 0);
    CHECK(from_bin.out == lpu::test::kReferenceTextA + "\n");
}

TEST_CASE("lpu run --json holds the reference token ids", "[launch][run][reference]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    LPU_REQUIRE_SHARED_MODEL(bin, "stories260K.bin");
    LPU_REQUIRE_SHARED_MODEL(tokenizer, "tok512.bin");
    for (const std::string& model_args : {"--model " + gguf, "--model " + bin + " --tokenizer " + tokenizer}) {
        const auto result = run_lpu("run " + model_args + " --temperature 0 --steps 256 --json");
        REQUIRE(result.exit_code == 0);
        const auto json = nlohmann::json::parse(result.out);
        CHECK(json.at("tokens").get<std::vector<int>>() == lpu::test::kReferenceTokensA);
        CHECK(json.at("text").get<std::string>() == lpu::test::kReferenceTextA);
        CHECK(json.at("stats").at("positions").get<int>() == 256);
        CHECK(json.at("stats").at("emulated_us_per_token").get<double>() > 0.0);
        CHECK(json.at("stats").at("sram").at("used_bytes").get<long>() > 0);
    }
}

TEST_CASE("lpu run --json: output that is not valid UTF-8 keeps its ids and says the text was repaired",
          "[launch][run]") {
    // This seed samples the byte token <0xD3> (id 214), half of a two-byte character.
    LPU_REQUIRE_SHARED_MODEL(model, "llama-2-tiny-random.gguf");
    const auto result = run_lpu("run --model " + model + " --steps 8 --seed 6 --temperature 1 --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto json = nlohmann::json::parse(result.out);
    const auto tokens = json.at("tokens").get<std::vector<int>>();
    CHECK(std::find(tokens.begin(), tokens.end(), 214) != tokens.end());
    CHECK(json.at("text").get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(json.at("text_replaced_invalid_utf8").get<bool>());

    LPU_REQUIRE_SHARED_MODEL(stories, "stories260K.gguf");
    const auto valid = nlohmann::json::parse(run_lpu("run --model " + stories + " --steps 16 --json").out);
    CHECK_FALSE(valid.at("text_replaced_invalid_utf8").get<bool>());
}

TEST_CASE("lpu run with a prompt prints reference B", "[launch][run][reference]") {
    LPU_REQUIRE_SHARED_MODEL(bin, "stories260K.bin");
    LPU_REQUIRE_SHARED_MODEL(tokenizer, "tok512.bin");
    const auto result = run_lpu("run --model " + bin + " --tokenizer " + tokenizer +
                                " --prompt 'Once upon a time' --steps 64 --temperature 0");
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == lpu::test::kReferenceTextB + "\n");
}

TEST_CASE("lpu run sampling is repeatable for a seed", "[launch][run]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const std::string args = "run --model " + gguf + " --temperature 0.9 --top-p 0.9 --top-k 40 --steps 64 --seed ";
    const auto first = run_lpu(args + "5");
    const auto again = run_lpu(args + "5");
    const auto other = run_lpu(args + "6");
    REQUIRE(first.exit_code == 0);
    CHECK(first.out == again.out);
    CHECK(first.out != other.out);
}

TEST_CASE("lpu run refuses bad input with one error line and exit 2", "[launch][run]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    LPU_REQUIRE_SHARED_MODEL(bin, "stories260K.bin");
    const std::vector<std::string> bad = {
        "run --model /nonexistent/model.gguf",
        "run --model " + bin,                               // llama2.c needs --tokenizer
        "run --model " + gguf + " --top-p 1.5",
        "run --model " + gguf + " --temperature -1",
        "run --model " + gguf + " --steps -3",
        "run --model " + gguf + " --context 999999",
        "run --model " + gguf + " --spec no-such-chip",
        "run --model " + gguf + " --log-level loud",
        "run --model " + gguf + " --no-such-flag",
    };
    for (const auto& args : bad) {
        const auto result = run_lpu(args);
        INFO(args << "\nstderr: " << result.err);
        CHECK(result.exit_code == 2);
        CHECK(result.signal == 0);
        CHECK(result.err.rfind("error: ", 0) == 0);
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    }
}

TEST_CASE("lpu run refuses a model that does not fit one chip, naming the minimum chips", "[launch][run]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto spec = std::filesystem::temp_directory_path() / ("lpu-tiny-spec-" + std::to_string(::getpid()) + ".json");
    { std::ofstream(spec) << R"({"base": "tsp-v1", "sram_bytes": 1000000})"; }
    const auto result = run_lpu("run --model " + gguf + " --spec " + spec.string() + " --context 512");
    std::filesystem::remove(spec);
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("short by") != std::string::npos);
    CHECK(result.err.find("at least") != std::string::npos);
}

TEST_CASE("lpu run on the F16 llama-2-tiny-random model gives llama.cpp's greedy tokens", "[launch][run]") {
    LPU_REQUIRE_SHARED_MODEL(path, "llama-2-tiny-random.gguf");
    // Recorded from llama.cpp by scripts/crosscheck/greedy.sh (--update).
    std::ifstream stored(lpu::test::source_dir().string() + "/tests/data/greedy/llama-2-tiny-random.json");
    REQUIRE(stored);
    const auto judge = nlohmann::json::parse(stored);
    const int positions = judge.at("positions");
    const auto result = run_lpu("run --model " + path + " --temperature 0 --json --steps " + std::to_string(positions));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto json = nlohmann::json::parse(result.out);
    CHECK(json.at("stats").at("positions") == positions);
    CHECK_FALSE(json.at("stopped_at_eos").get<bool>());
    CHECK(json.at("tokens") == judge.at("tokens"));
}
