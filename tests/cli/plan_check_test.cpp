// `lpu plan check` end to end: a plan compiled by `lpu compile` runs in
// lockstep on the drifting fabric (exit 0, text and JSON); plans that are not
// (transfers read too early, receive rings too small) exit 1 and say why, and
// `lpu run` refuses them; plans it cannot check are refused with `error:` and
// exit 2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan_io.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/plan/sample_plan.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"
#include "topology/topology_spec.hpp"

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

namespace {

// A plan file written by the test, removed when the test ends.
class WrittenPlan {
public:
    explicit WrittenPlan(const lpu::plan::Plan& plan) : path_(lpu::test::unique_temp_path("broken", ".lpuplan")) {
        lpu::plan::save_plan(plan, path_.string());
    }
    ~WrittenPlan() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// stories260K compiled for tp 4 x pp 2 on fc:8 (as lpu compile would, for this
// model file), then every "rx" ring cut to one vector: each all-reduce sends a
// chip three reductions at once, so the second and third land on the first.
lpu::plan::Plan plan_with_one_vector_rings(const std::string& gguf) {
    using namespace lpu;
    const auto file = model::open_model(gguf);
    const auto topology = topology::topology_from_spec("fc:8");
    const sim::ChipSpec spec = sim::chip_spec_preset(sim::default_chip_spec_name());
    compiler::CompileOptions options;
    options.tp = 4;
    options.pp = 2;
    options.positions = 256;
    options.collective_algorithm = "direct";  // three reductions of a quarter each (auto picks one_shot here)
    plan::Plan plan = compiler::compile_plan(file->config(), compiler::model_fingerprint(*file),
                                             {&topology, "fc:8", &spec}, options);
    for (plan::ChipProgram& chip : plan.chips) {
        for (plan::Buffer& buffer : chip.buffers)
            if (buffer.name == "rx") buffer.size_bytes = spec.vector_bytes;
    }
    return plan;
}

// The hand-built 2-chip sample plan on fc:2: its transfers are read 100 cycles
// after they are sent, sooner than a link's latency.
lpu::plan::Plan late_sample_plan() {
    using namespace lpu;
    plan::Plan plan = plan::testing::sample_plan();
    plan.system = compiler::system_fingerprint(topology::topology_from_spec("fc:2"), "fc:2",
                                               sim::chip_spec_preset(sim::default_chip_spec_name()));
    return plan;
}

}  // namespace

TEST_CASE("lpu plan check exits 1 on a plan whose transfers are read before they arrive", "[launch][plan]") {
    const WrittenPlan plan(late_sample_plan());
    const auto result = run_lpu("plan check " + plan.path() + " --steps 2");
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.empty());
    CHECK(result.out.find("violations:  4\n") != std::string::npos);
    CHECK(result.out.find("transfer 0 (chip 0 -> 1) read ") != std::string::npos);
    CHECK(result.out.find("before its data arrived") != std::string::npos);
    CHECK(result.out.find("NOT in lockstep\n") != std::string::npos);
}

TEST_CASE("lpu plan check exits 1 on a plan whose receive rings are overwritten", "[launch][plan]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const WrittenPlan plan(plan_with_one_vector_rings(gguf));
    const auto text = run_lpu("plan check " + plan.path() + " --steps 4");
    INFO(text.out << text.err);
    CHECK(text.exit_code == 1);
    CHECK(text.out.find("overwritten by transfer") != std::string::npos);
    CHECK(text.out.find("NOT in lockstep\n") != std::string::npos);

    const auto json_run = run_lpu("plan check " + plan.path() + " --steps 4 --json");
    CHECK(json_run.exit_code == 1);
    const auto json = nlohmann::json::parse(json_run.out);
    CHECK(json.at("ok") == false);
    REQUIRE_FALSE(json.at("violations").empty());
    CHECK(json.at("violations").front().get<std::string>().find("overwritten by transfer") != std::string::npos);
}

TEST_CASE("lpu run and lpu compile refuse a plan that is not in lockstep", "[launch][plan]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const WrittenPlan plan(plan_with_one_vector_rings(gguf));
    const auto run = run_lpu("run --model " + gguf + " --plan " + plan.path() + " --steps 4 --temperature 0");
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.rfind("error: the plan is not in lockstep: ", 0) == 0);
    CHECK(run.err.find("overwritten") != std::string::npos);
    CHECK(run.out.empty());  // no token from a plan that would destroy its data

    // What lpu compile writes passes the same check and says so.
    const CompiledPlan compiled(gguf, "--tp 4 --pp 2");
    const auto again = run_lpu("run --model " + gguf + " --plan " + compiled.path() + " --steps 4 --temperature 0");
    CHECK(again.exit_code == 0);
}
