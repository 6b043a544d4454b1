// `lpu sim --trace`: one decode step of the plan it compiled, as Perfetto JSON,
// for the chips asked for, through the real binary.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

// 64 chips of Llama-2 7B, a context short enough to compile quickly.
const std::string kSim = "sim --model-preset llama2-7b --tp 8 --pp 8 --context 256 ";

nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
}

}  // namespace

TEST_CASE("lpu sim --trace writes the last position's step for the chips asked for", "[launch][sim][trace]") {
    const auto path = unique_temp_path("sim-trace", ".json");
    const auto result = run_lpu(kSim + "--json --trace " + path.string() + " --trace-chips 0,9,63");
    REQUIRE(result.exit_code == 0);
    CHECK(nlohmann::json::parse(result.out)["fits"] == true);  // the report is unchanged
    CHECK(result.err.find("step at position 255") != std::string::npos);

    const auto trace = read_json(path);
    std::filesystem::remove(path);
    std::set<std::int64_t> pids;
    std::set<std::string> processes;
    for (const auto& event : trace.at("traceEvents")) {
        pids.insert(event.at("pid").get<std::int64_t>());
        if (event.at("name") == "process_name") processes.insert(event.at("args").at("name").get<std::string>());
    }
    CHECK(pids == std::set<std::int64_t>{1, 10, 64});  // pid = chip + 1
    CHECK(processes.contains("chip 9 (tp 1, stage 1)"));
}

TEST_CASE("lpu sim --trace-position picks the step", "[launch][sim][trace]") {
    const auto path = unique_temp_path("sim-trace", ".json");
    const auto result = run_lpu(kSim + "--trace " + path.string() + " --trace-chips 0 --trace-position 7");
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("step at position 7") != std::string::npos);
    CHECK(result.out.find("position 255:") != std::string::npos);  // the report is the whole context's
    const auto trace = read_json(path);
    std::filesystem::remove(path);
    std::int64_t attention_slices = 0;
    for (const auto& event : trace.at("traceEvents")) attention_slices += event.at("name") == "attention" ? 1 : 0;
    CHECK(attention_slices == 4);  // chip 0 is stage 0: layers 0 to 3
}

TEST_CASE("lpu sim --trace: bad chips, positions and a model that does not fit are exit 2", "[launch][sim][trace]") {
    const auto path = unique_temp_path("sim-trace", ".json");
    const auto check_bad = [&](const std::string& arguments, const std::string& expected) {
        const auto result = run_lpu(arguments);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("error: ", 0) == 0);
        CHECK(result.err.find(expected) != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(path));
    };
    check_bad(kSim + "--trace " + path.string() + " --trace-chips 0,64", "chip 64 is not a chip of the plan");
    check_bad(kSim + "--trace " + path.string() + " --trace-position 256", "outside the plan's context of 256");
    check_bad("sim --model-preset llama2-7b --chips 4 --trace " + path.string(), "no trace written");
}

}  // namespace lpu::test
