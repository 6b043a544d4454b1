// `lpu sim` end to end through the real binary: a published shape either
// compiles or reports the chips it needs, --json parses, bad input is exit 2.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

void check_bad_input(const CommandResult& result, const std::string& expected) {
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.rfind("error: ", 0) == 0);
    CHECK(result.err.find(expected) != std::string::npos);
}

}  // namespace

TEST_CASE("lpu sim: llama2-7b on 4 chips does not fit and says how many chips it needs", "[launch][sim]") {
    const auto result = run_lpu("sim --model-preset llama2-7b --dtype int8 --chips 4");
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("fits:    no") != std::string::npos);
    CHECK(result.out.find("needs at least") != std::string::npos);
}

TEST_CASE("lpu sim --json: llama2-7b on 64 chips compiles and reports its timing", "[launch][sim]") {
    const auto result = run_lpu("sim --model-preset llama2-7b --tp 8 --pp 8 --context 256 --batch 2 --json");
    REQUIRE(result.exit_code == 0);
    const auto out = nlohmann::json::parse(result.out);
    CHECK(out["fits"] == true);
    CHECK(out["system"]["chips"] == 64);
    CHECK(out["model"]["weight_dtype"] == "Q8_0");
    CHECK(out["sram"]["fullest_chip_bytes"].get<std::int64_t>() <= out["sram"]["chip_bytes"].get<std::int64_t>());
    const auto& last = out["decode"]["last_position"];
    CHECK(last["position"] == 255);
    CHECK(last["latency_cycles"].get<std::int64_t>() >= out["decode"]["first_position"]["latency_cycles"].get<std::int64_t>());
    CHECK(last["tokens_per_second_per_user"].get<double>() > 0.0);
    const auto& path = last["critical_path_cycles"];
    CHECK(path["compute"].get<std::int64_t>() + path["transfer"].get<std::int64_t>() +
              path["deskew"].get<std::int64_t>() + path["idle"].get<std::int64_t>() ==
          last["latency_cycles"].get<std::int64_t>());
    CHECK(out["time_to_first_token"]["prompt_tokens"] == 128);
    // Eight stages overlap the prompt's tokens.
    CHECK(out["time_to_first_token"]["pipelined_lower_bound_cycles"].get<std::int64_t>() <
          out["time_to_first_token"]["cycles"].get<std::int64_t>() / 2);
    const auto& busy = last["utilisation"];
    CHECK(busy["per_chip"].size() == 64);
    CHECK(busy["per_link"].size() == busy["links_carrying_data"].get<std::size_t>());
    CHECK(busy["links_carrying_data"].get<int>() > 0);
    for (const char* figure : {"matrix_unit", "vector_unit", "sram_bandwidth", "link"}) {
        CAPTURE(figure);
        CHECK(busy[figure]["max"].get<double>() > 0.0);
        CHECK(busy[figure]["max"].get<double>() <= 1.0);
        CHECK(busy[figure]["mean"].get<double>() <= busy[figure]["max"].get<double>());
    }
    CHECK(out["energy"]["joules_per_token_at_average_power"].get<double>() > 0.0);
    // The figures come from a plan checked to be in lockstep, at both ends of the context.
    const auto& lockstep = out["lockstep"];
    CHECK(lockstep["in_lockstep"] == true);
    CHECK(lockstep["transfers"].get<std::int64_t>() > 0);
    CHECK(lockstep["late_transfers"] == 0);
    CHECK(lockstep["overwritten_transfers"] == 0);
    CHECK(lockstep["worst_margin_cycles"].get<std::int64_t>() >= 0);
    REQUIRE(lockstep["windows"].size() == 2);
    CHECK(lockstep["windows"][0]["first_position"] == 0);
    const auto& late = lockstep["windows"][1];
    CHECK(late["first_position"].get<int>() + late["steps"].get<int>() == 256);
    CHECK(late["when"] == "before the next correction");
    CHECK(late["start_cycle"].get<std::int64_t>() > lockstep["windows"][0]["end_cycle"].get<std::int64_t>());
}

TEST_CASE("lpu sim says that the plan it timed is in lockstep", "[launch][sim]") {
    const auto result = run_lpu("sim --model-preset llama2-70b --chips 576 --topology dragonfly:8");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const std::size_t line = result.out.find("\nplan:    in lockstep: 2 x ");
    REQUIRE(line != std::string::npos);
    CHECK(result.out.find("positions 4093-4095 before the next correction", line) != std::string::npos);
    CHECK(result.out.find("tokens/s per user") > line);  // the figures follow the verdict
}

TEST_CASE("lpu sim without --chips uses the fewest chips that fit, and says so", "[launch][sim]") {
    const auto chosen = run_lpu("sim --model-preset llama2-7b --dtype int8 --context 256 --json");
    REQUIRE(chosen.exit_code == 0);
    const auto out = nlohmann::json::parse(chosen.out);
    REQUIRE(out["fits"] == true);
    const int chips = out["system"]["chips"];
    CHECK(chosen.err.find("note: no --chips given: " + std::to_string(chips) + " chip(s), the fewest") !=
          std::string::npos);
    // One chip fewer does not fit: the choice is the fewest.
    const auto fewer = run_lpu("sim --model-preset llama2-7b --dtype int8 --context 256 --json --chips " +
                               std::to_string(chips - 1));
    CHECK(nlohmann::json::parse(fewer.out)["fits"] == false);
}

TEST_CASE("lpu sim --json: a refusal is a result with fits false", "[launch][sim]") {
    const auto result = run_lpu("sim --model-preset llama2-70b --chips 8 --json");
    REQUIRE(result.exit_code == 0);
    const auto out = nlohmann::json::parse(result.out);
    CHECK(out["fits"] == false);
    CHECK(out["refusal"].get<std::string>().find("needs at least") != std::string::npos);
}

TEST_CASE("lpu sim reads the shape from a GGUF header", "[launch][sim]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto result = run_lpu("sim --model " + path + " --tp 2 --pp 1 --json");
    REQUIRE(result.exit_code == 0);
    CHECK(nlohmann::json::parse(result.out)["model"]["dim"] == 64);
}

TEST_CASE("lpu sim --json and lpu model info --json: a model name that is not UTF-8 comes out as U+FFFD", "[launch][sim]") {
    const auto model = unique_temp_path("name-not-utf8", ".gguf");
    REQUIRE(run_lpu("model synth --preset tiny -o " + model.string()).exit_code == 0);
    {
        // general.name's value follows its key, its type (u32) and its length (u64).
        std::fstream file(model, std::ios::in | std::ios::out | std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
        const auto key = bytes.find("general.name");
        REQUIRE(key != std::string::npos);
        file.seekp(static_cast<std::streamoff>(key + std::string("general.name").size() + 4 + 8));
        file.put('\xFF');
    }
    for (const std::string command : {"sim --chips 1 --json", "model info --json"}) {
        const auto result = run_lpu(command + " --model " + model.string());
        INFO(command << ": " << result.err);
        REQUIRE(result.exit_code == 0);
        const auto out = nlohmann::json::parse(result.out);
        const auto& name = command.starts_with("sim") ? out["model"]["name"] : out["config"]["name"];
        CHECK(name.get<std::string>().rfind("\xEF\xBF\xBD", 0) == 0);
    }
    std::filesystem::remove(model);
}

TEST_CASE("lpu sim --prompt-tokens P: time to first token is P decode steps", "[launch][sim]") {
    // A context of two positions: the report's first and last decode steps
    // are the only two, so one prompt token costs the first and two cost both.
    const auto model = unique_temp_path("prompt-tokens", ".gguf");
    REQUIRE(run_lpu("model synth --preset tiny -o " + model.string()).exit_code == 0);
    const auto ttft = [&](int prompt_tokens) {
        const auto result = run_lpu("sim --model " + model.string() + " --tp 2 --pp 1 --context 2 --json --prompt-tokens " +
                                    std::to_string(prompt_tokens));
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
        return nlohmann::json::parse(result.out);
    };
    const auto one = ttft(1), two = ttft(2);
    CHECK(one["time_to_first_token"]["prompt_tokens"] == 1);
    CHECK(two["time_to_first_token"]["prompt_tokens"] == 2);
    const auto latency = [](const nlohmann::json& out, const char* step) {
        return out["decode"][step]["latency_cycles"].get<std::int64_t>();
    };
    CHECK(one["time_to_first_token"]["cycles"] == latency(one, "first_position"));
    CHECK(two["time_to_first_token"]["cycles"] == latency(two, "first_position") + latency(two, "last_position"));
    std::filesystem::remove(model);
}

TEST_CASE("lpu sim: bad input is exit 2 with one error line", "[launch][sim]") {
    check_bad_input(run_lpu("sim --model-preset llama2-8b"), "unknown model preset 'llama2-8b'");
    check_bad_input(run_lpu("sim --model-preset llama2-7b --dtype fp4"), "unknown weight type 'fp4'");
    check_bad_input(run_lpu("sim --model-preset llama2-7b --dtype fp8 --chips 64"), "chip 'tsp-v1-calibrated' has no FP8 matrix mode");
    check_bad_input(run_lpu("sim --chips 4"), "exactly one of --model-preset and --model");
    check_bad_input(run_lpu("sim --model-preset llama2-7b --tp 64 --pp 1"), "n_heads = 32");
}

}  // namespace lpu::test

namespace lpu::test {

TEST_CASE("lpu sim --replicas: per-user latency of one replica, throughput of all", "[launch][sim]") {
    const std::string grid = "sim --model-preset llama2-7b --tp 8 --pp 8 --context 256 --topology dragonfly:2 --json";
    const auto one = run_lpu(grid);
    const auto two = run_lpu(grid + " --replicas 2");
    REQUIRE(one.exit_code == 0);
    REQUIRE(two.exit_code == 0);
    const auto single = nlohmann::json::parse(one.out);
    const auto both = nlohmann::json::parse(two.out);
    CHECK(both["system"]["replicas"] == 2);
    CHECK(both["system"]["chips"] == 128);
    const auto& last_one = single["decode"]["last_position"];
    const auto& last_both = both["decode"]["last_position"];
    // The second replica may wait for links the first one uses, never the reverse.
    CHECK(last_both["latency_cycles"].get<std::int64_t>() >= last_one["latency_cycles"].get<std::int64_t>());
    const double per_replica = last_both["tokens_per_second_aggregate"].get<double>() / 2.0;
    CHECK(per_replica <= last_one["tokens_per_second_aggregate"].get<double>() * (1.0 + 1e-9));
    CHECK(per_replica > 0.5 * last_one["tokens_per_second_aggregate"].get<double>());
}

TEST_CASE("lpu run refuses a plan with data-parallel replicas", "[launch][sim]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto result = run_lpu("run --model " + path + " --tp 2 --pp 1 --replicas 2 --steps 4");
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("data-parallel replicas") != std::string::npos);
}

}  // namespace lpu::test
