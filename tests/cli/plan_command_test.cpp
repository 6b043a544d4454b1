// `lpu plan show` and `lpu trace` end to end through the real binary, on a plan
// file written from the hand-made sample plan.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/plan_io.hpp"
#include "tests/plan/sample_plan.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

// A file removed when the test ends.
class TempFile {
public:
    explicit TempFile(const std::string& extension) : path_(unique_temp_path("plan-command", extension)) {}
    ~TempFile() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The bad-input contract: exit 2 and one "error: " line, never a crash.
void check_refused(const std::string& arguments) {
    const auto result = run_lpu(arguments);
    INFO(arguments << ": stderr '" << result.err << "'");
    CHECK(result.signal == 0);
    CHECK(result.exit_code == 2);
    CHECK(result.err.rfind("error: ", 0) == 0);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("lpu plan show prints the chips, their SRAM maps and the critical path", "[launch][plan]") {
    TempFile plan_file(".lpuplan");
    plan::save_plan(plan::testing::sample_plan(), plan_file.path());
    const auto result = run_lpu("plan show " + plan_file.path());
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("step at position 0") != std::string::npos);
    CHECK(result.out.find("chip 0 (tp 0, stage 0)") != std::string::npos);
    CHECK(result.out.find("chip 1 (tp 1, stage 0)") != std::string::npos);
    CHECK(result.out.find("activation  x (reused by lifetime)") != std::string::npos);
    // Retimed for position 0 the step ends at 219 (tests/plan/retime_test.cpp).
    CHECK(result.out.find("critical path: 219 cycles") != std::string::npos);
    CHECK(result.out.find("transfer from chip 1") != std::string::npos);
}

TEST_CASE("lpu plan show --json follows the position", "[launch][plan]") {
    TempFile plan_file(".lpuplan");
    plan::save_plan(plan::testing::sample_plan(), plan_file.path());
    const auto first = run_lpu("plan show " + plan_file.path() + " --json");
    REQUIRE(first.exit_code == 0);
    const auto at_start = nlohmann::json::parse(first.out);
    CHECK(at_start.at("position") == 0);
    CHECK(at_start.at("step_cycles") == 219);
    CHECK(at_start.at("chips").size() == 2);
    const auto later = run_lpu("plan show " + plan_file.path() + " --json --position 99");
    REQUIRE(later.exit_code == 0);
    CHECK(nlohmann::json::parse(later.out).at("step_cycles") == 615);
}

TEST_CASE("lpu plan show --chips details only those chips", "[launch][plan]") {
    TempFile plan_file(".lpuplan");
    plan::save_plan(plan::testing::sample_plan(), plan_file.path());
    const auto result = run_lpu("plan show " + plan_file.path() + " --chips 1 --json");
    REQUIRE(result.exit_code == 0);
    const auto json = nlohmann::json::parse(result.out);
    REQUIRE(json.at("chips").size() == 1);
    CHECK(json.at("chips").at(0).at("chip") == 1);
    CHECK(json.at("critical_path").at("end_cycle") == 219);
}

TEST_CASE("lpu trace writes trace-event JSON for all chips or a few", "[launch][trace]") {
    TempFile plan_file(".lpuplan");
    TempFile trace_file(".json");
    plan::save_plan(plan::testing::sample_plan(), plan_file.path());

    const auto all = run_lpu("trace --plan " + plan_file.path() + " -o " + trace_file.path());
    INFO(all.err);
    REQUIRE(all.exit_code == 0);
    CHECK(all.err.find("perfetto") != std::string::npos);
    const auto trace = nlohmann::json::parse(read_file(trace_file.path()));
    CHECK(trace.at("displayTimeUnit") == "ns");
    const auto& events = trace.at("traceEvents");
    CHECK(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.at("ph") == "s"; }) == 2);
    CHECK(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.at("ph") == "f"; }) == 2);

    const auto one = run_lpu("trace --plan " + plan_file.path() + " --chips 1 --clock-hz 1e9 --position 5 -o " +
                             trace_file.path());
    REQUIRE(one.exit_code == 0);
    const auto filtered = nlohmann::json::parse(read_file(trace_file.path()));
    for (const auto& event : filtered.at("traceEvents")) CHECK(event.at("pid") == 2);
}

TEST_CASE("lpu plan show and lpu trace refuse bad files and flags with exit 2", "[launch][plan][trace]") {
    TempFile plan_file(".lpuplan");
    TempFile corrupted(".lpuplan");
    TempFile trace_file(".json");
    plan::save_plan(plan::testing::sample_plan(), plan_file.path());
    std::string bytes = read_file(plan_file.path());
    bytes.resize(bytes.size() / 2);
    write_file(corrupted.path(), bytes);

    check_refused("plan show " + corrupted.path());
    check_refused("trace --plan " + corrupted.path() + " -o " + trace_file.path());
    check_refused("plan show /nonexistent/plan.lpuplan");
    check_refused("plan show " + plan_file.path() + " --position -1");
    check_refused("plan");
    check_refused("plan show " + plan_file.path() + " --chips 2");
    check_refused("trace --plan " + plan_file.path() + " --chips 0,7 -o " + trace_file.path());
    check_refused("trace --plan " + plan_file.path() + " --chips zero -o " + trace_file.path());
    check_refused("trace --plan " + plan_file.path() + " --clock-hz 0 -o " + trace_file.path());
    check_refused("trace --plan " + plan_file.path());  // no -o
    check_refused("trace --plan " + plan_file.path() + " -o /nonexistent/dir/trace.json");
}

}  // namespace lpu::test
