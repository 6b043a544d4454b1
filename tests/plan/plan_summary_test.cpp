#include "plan/plan_summary.hpp"

#include <catch2/catch.hpp>

#include "plan/plan_summary_json.hpp"
#include "plan/plan_summary_text.hpp"
#include "plan/retime.hpp"
#include "tests/plan/sample_plan.hpp"

using Catch::Matchers::Contains;
namespace plan = lpu::plan;

namespace {

std::size_t kind_index(const char* name) {
    for (std::size_t kind = 0; kind < plan::instruction_kind_count; ++kind) {
        if (std::string(plan::instruction_kind_name(kind)) == name) return kind;
    }
    FAIL("no instruction kind " << name);
    return 0;
}

}  // namespace

TEST_CASE("the summary maps each chip's SRAM, counting regions reused by lifetime once", "[plan][summary]") {
    const auto summary = plan::summarise(plan::testing::sample_plan());
    REQUIRE(summary.chips.size() == 2);
    const auto& chip = summary.chips[0];
    std::vector<std::string> names;
    for (const auto& buffer : chip.buffers_by_offset) names.push_back(buffer.name);
    CHECK(names == std::vector<std::string>{"wq", "x", "y", "rx"});
    // x and y share [4096, 5120).
    CHECK(chip.used_bytes == 4096 + 1024 + 512);
    CHECK(chip.bytes_by_use[static_cast<std::size_t>(plan::BufferUse::weights)] == 4096);
    CHECK(chip.bytes_by_use[static_cast<std::size_t>(plan::BufferUse::kv)] == 0);
    CHECK(chip.bytes_by_use[static_cast<std::size_t>(plan::BufferUse::activation)] == 1024);
    CHECK(chip.bytes_by_use[static_cast<std::size_t>(plan::BufferUse::receive)] == 512);
    CHECK(summary.sram_bytes == 1 << 20);
}

TEST_CASE("the summary counts instructions per kind and computes per op", "[plan][summary]") {
    const auto summary = plan::summarise(plan::testing::sample_plan());
    const auto& first = summary.chips[0];
    CHECK(first.instructions_by_kind[plan::compute_kind] == 2);
    CHECK(first.instructions_by_kind[kind_index("send")] == 1);
    CHECK(first.instructions_by_kind[kind_index("recv")] == 1);
    CHECK(first.instructions_by_kind[kind_index("deskew")] == 1);
    CHECK(first.instructions_by_kind[kind_index("collective")] == 0);
    CHECK(first.instructions_by_kind[kind_index("sync")] == 1);
    CHECK(first.computes_by_op[static_cast<std::size_t>(plan::OpKind::rmsnorm)] == 1);
    CHECK(first.computes_by_op[static_cast<std::size_t>(plan::OpKind::attention)] == 1);
    CHECK(first.computes_by_op[static_cast<std::size_t>(plan::OpKind::matmul)] == 0);
    const auto& second = summary.chips[1];
    CHECK(second.instructions_by_kind[kind_index("collective")] == 1);
    CHECK(second.instructions_by_kind[kind_index("runtime_deskew")] == 1);
    CHECK(std::string(plan::instruction_kind_name(plan::instruction_kind_count)) == "unknown");
}

TEST_CASE("the summary's step ends with the last instruction of any chip", "[plan][summary]") {
    auto sample = plan::testing::sample_plan();
    // Chip 0 ends with its deskew (210 + 5) and the sync at 215; chip 1's runtime
    // deskew may pad until 200 before its sync at 215.
    auto summary = plan::summarise(sample);
    CHECK(summary.chips[0].step_cycles == 215);
    CHECK(summary.chips[1].step_cycles == 215);
    CHECK(summary.step_cycles == 215);
    CHECK(summary.critical_path.end_cycle == 215);

    sample.chips[1].instructions.back().body = plan::Compute{plan::OpKind::route, {512}, {1}, {2}, 40, 0};
    summary = plan::summarise(sample);
    CHECK(summary.chips[1].step_cycles == 255);
    CHECK(summary.step_cycles == 255);
    CHECK(summary.critical_path.segments.back().what == "route");
}

TEST_CASE("the summary of a retimed step agrees with the retimer's step latency", "[plan][summary]") {
    for (const std::int64_t position : {0, 7, 99}) {
        const auto step = plan::retime(plan::testing::sample_plan(), position);
        CHECK(plan::summarise(step).step_cycles == plan::step_end_cycle(step));
    }
}

TEST_CASE("the text summary shows the plan, a line per chip, SRAM maps and the critical path", "[plan][summary]") {
    const auto text = plan::summary_text(plan::summarise(plan::testing::sample_plan()));
    CHECK_THAT(text, Contains("tiny dim 64 layers 2"));
    CHECK_THAT(text, Contains("hash 0x000000001234abcd"));
    CHECK_THAT(text, Contains("grid:   tp 2 x pp 1"));
    CHECK_THAT(text, Contains("chip 0 (tp 0, stage 0): layers [0, 2)"));
    CHECK_THAT(text, Contains("chip 1 (tp 1, stage 0)"));
    CHECK_THAT(text, Contains("compute 2 (rmsnorm 1, attention 1), send 1, recv 1, deskew 1, sync 1"));
    CHECK_THAT(text, Contains("SRAM: 5632 of 1048576 bytes (0.5%): weights 4096, kv 0, activation 1024, receive 512"));
    CHECK_THAT(text, Contains("4096  5120   1024  activation  x (reused by lifetime)"));
    CHECK_THAT(text, Contains("critical path: 215 cycles"));
    CHECK_THAT(text, Contains("transfer from chip 1"));
}

TEST_CASE("the JSON summary holds the same numbers", "[plan][summary]") {
    const auto json = plan::summary_json(plan::summarise(plan::testing::sample_plan()));
    CHECK(json.at("model").at("hash") == "0x000000001234abcd");
    CHECK(json.at("system").at("topology") == "ring:2");
    CHECK(json.at("grid").at("tp") == 2);
    CHECK(json.at("step_cycles") == 215);
    const auto& chip = json.at("chips").at(0);
    CHECK(chip.at("chip") == 0);
    CHECK(chip.at("used_bytes") == 5632);
    CHECK(chip.at("bytes_by_use").at("receive") == 512);
    CHECK(chip.at("instructions").at("compute") == 2);
    CHECK(chip.at("computes").at("attention") == 1);
    CHECK(chip.at("buffers").size() == 4);
    CHECK(chip.at("buffers").at(3).at("name") == "rx");
    CHECK(chip.at("buffers").at(3).at("offset_bytes") == 8192);
    const auto& path = json.at("critical_path");
    CHECK(path.at("end_cycle") == 215);
    std::int64_t covered = 0;
    for (const auto& segment : path.at("segments")) covered += segment.at("cycles").get<std::int64_t>();
    CHECK(covered == 215);
}
