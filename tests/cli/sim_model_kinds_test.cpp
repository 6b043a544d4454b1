// `lpu sim` on what only the simulator can run: FP8 weights on a chip with an
// FP8 mode, and Mixtral's mixture of experts, through the real binary.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.hpp"

namespace lpu::test {
namespace {

nlohmann::json sim_json(const std::string& arguments) {
    const auto result = run_lpu("sim --json " + arguments);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
}

}  // namespace

TEST_CASE("lpu sim --dtype fp8 plans and times one-byte weights on a chip with an FP8 mode", "[launch][sim][fp8]") {
    const std::string grid = "--model-preset llama2-7b --tp 8 --pp 8 --context 256 ";
    const auto fp8 = sim_json(grid + "--dtype fp8 --spec examples/specs/hypothetical-fp8.json");
    const auto int8 = sim_json(grid + "--dtype int8");
    REQUIRE(fp8["fits"] == true);
    CHECK(fp8["model"]["weight_dtype"] == "F8_E4M3");
    CHECK(fp8["system"]["spec"] == "hypothetical-tsp-fp8");
    // One byte per weight against Q8_0's 34 per 32.
    CHECK(fp8["sram"]["fullest_chip_bytes"].get<std::int64_t>() < int8["sram"]["fullest_chip_bytes"].get<std::int64_t>());
    CHECK(fp8["decode"]["last_position"]["latency_cycles"].get<std::int64_t>() > 0);
}

TEST_CASE("lpu sim plans Mixtral 8x7B with every expert in SRAM", "[launch][sim][moe]") {
    // Too few chips: the refusal's minimum counts all 8 experts. Their Q8_0
    // weights alone (46.7e9 x 34/32 bytes) fill 216 chips of 230 MB.
    const auto refused = sim_json("--model-preset mixtral-8x7b --chips 64");
    REQUIRE(refused["fits"] == false);
    const std::string refusal = refused["refusal"];
    const auto at = refusal.find("needs at least ");
    REQUIRE(at != std::string::npos);
    CHECK(std::stoi(refusal.substr(at + 15)) >= 216);

    const auto fits = sim_json("--model-preset mixtral-8x7b --chips 288 --context 4096");
    REQUIRE(fits["fits"] == true);
    CHECK(fits["system"]["chips"] == 288);
    CHECK(fits["model"]["experts"] == 8);
    CHECK(fits["model"]["active_experts"] == 2);
    const auto& last = fits["decode"]["last_position"];
    CHECK(last["tokens_per_second_per_user"].get<double>() > 0.0);
    CHECK(last["critical_path_cycles"]["compute_by_op"].contains("route"));  // the router's top-k
    CHECK(last["critical_path_cycles"]["compute_by_op"].contains("expert_matmul"));
    // The load a uniform router spreads, and where the experts live.
    const auto& experts = fits["experts"];
    CHECK(experts["placement"] == "sharded_by_tp");
    CHECK(experts["routing_skew"] == 0.0);
    CHECK(experts["load_share"].size() == 8);
    CHECK(experts["busiest_over_mean"].get<double>() < 1.05);
}

TEST_CASE("lpu sim --expert-skew loads some experts more, and is refused for a dense model", "[launch][sim][moe]") {
    const auto skewed = sim_json("--model-preset mixtral-8x7b --chips 288 --context 4096 --expert-skew 1");
    CHECK(skewed["experts"]["busiest_over_mean"].get<double>() > 1.5);
    const auto dense = run_lpu("sim --model-preset llama2-7b --tp 8 --pp 8 --context 256 --expert-skew 1");
    CHECK(dense.exit_code == 2);
    CHECK(dense.err.find("--expert-skew describes a mixture of experts' routing") != std::string::npos);
    const auto negative = run_lpu("sim --model-preset mixtral-8x7b --chips 288 --expert-skew -1");
    CHECK(negative.exit_code == 2);
    CHECK(negative.err.find("--expert-skew must be 0 (uniform) or more, got -1") != std::string::npos);
}

}  // namespace lpu::test
