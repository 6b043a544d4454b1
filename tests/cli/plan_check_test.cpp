// `lpu plan check` end to end: a plan compiled by `lpu compile` runs in
// lockstep on the drifting fabric (exit 0, text and JSON), violations exit 1,
// and plans it cannot check are refused with `error:` and exit 2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

using lpu::test::run_lpu;

namespace {

// The compiled plan file, removed when the test ends.
class CompiledPlan {
public:
    CompiledPlan(const std::string& gguf, const std::string& grid)
        : path_(lpu::test::unique_temp_path("plan-check", ".lpuplan")) {
        const auto compiled = run_lpu("compile --model " + gguf + " " + grid + " --context 256 -o " + path());
        INFO(compiled.err);
        REQUIRE(compiled.exit_code == 0);
    }
    ~CompiledPlan() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

}  // namespace

TEST_CASE("lpu plan check: a compiled plan runs in lockstep on the drifting fabric", "[launch][plan]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const CompiledPlan plan(gguf, "--tp 2 --pp 2");

    const auto text = run_lpu("plan check " + plan.path() + " --steps 32 --position 200 --seed 7");
    INFO(text.out << text.err);
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("violations:  0") != std::string::npos);
    CHECK(text.out.find("in lockstep") != std::string::npos);

    const auto json_run = run_lpu("plan check " + plan.path() + " --steps 32 --crystal-ppm 100 --json");
    REQUIRE(json_run.exit_code == 0);
    const auto json = nlohmann::json::parse(json_run.out);
    CHECK(json.at("ok") == true);
    CHECK(json.at("transfers").get<int>() > 0);
    CHECK(json.at("violations").empty());
    CHECK(json.at("worst_margin_cycles").get<int>() >= 0);
}

TEST_CASE("lpu plan check refuses missing plans and plans of another system", "[launch][plan]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const CompiledPlan plan(gguf, "--tp 2 --pp 2");
    const std::vector<std::string> refused = {"plan check " + plan.path() + " --spec tsp-v1-1ghz",
                                              "plan check /nonexistent.lpuplan",
                                              "plan check " + plan.path() + " --steps 0"};
    for (const std::string& arguments : refused) {
        const auto result = run_lpu(arguments);
        INFO(arguments << ": " << result.err);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("error: ", 0) == 0);
    }
}

TEST_CASE("lpu plan check exits 1 exactly when it finds violations", "[launch][plan]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    // tp 4 receives three messages per collective phase into one buffer: while
    // the compiler sizes that buffer in bytes (one vector), they overwrite each
    // other (tests/runtime/compiler/plan_lockstep_test.cpp).
    const CompiledPlan plan(gguf, "--tp 4 --pp 2");
    const auto result = run_lpu("plan check " + plan.path() + " --steps 4 --json");
    INFO(result.out << result.err);
    REQUIRE(result.exit_code != 2);
    const auto json = nlohmann::json::parse(result.out);
    CHECK(json.at("ok") == json.at("violations").empty());
    CHECK(result.exit_code == (json.at("ok").get<bool>() ? 0 : 1));
}
