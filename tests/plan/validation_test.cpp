#include "plan/validation.hpp"

#include <catch2/catch.hpp>
#include <limits>

#include "base/error.hpp"
#include "tests/plan/sample_plan.hpp"

using Catch::Matchers::Contains;
using lpu::plan::testing::sample_plan;
namespace plan = lpu::plan;

namespace {

plan::Transfer& transfer_at(plan::Plan& p, std::size_t chip, std::size_t instruction) {
    auto& body = p.chips[chip].instructions[instruction].body;
    if (auto* send = std::get_if<plan::Send>(&body)) return *send;
    return std::get<plan::Recv>(body);
}

}  // namespace

TEST_CASE("the sample 2-chip plan validates", "[plan]") { REQUIRE_NOTHROW(plan::validate(sample_plan())); }

TEST_CASE("validate rejects a bad header and grid", "[plan]") {
    auto p = sample_plan();
    p.format_version = 99;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("format version 99"));
    p = sample_plan();
    p.grid.tp = 3;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("tp 3 x pp 1 needs that many chips, the plan has 2"));
    p = sample_plan();
    p.grid.micro_batches = 0;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("at least 1"));
    p = sample_plan();
    p.grid.batch = 4000000000u;  // found by plan_file_fuzz: retiming sized per-sequence state by it
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("batch 4000000000 exceeds the most, 1024 sequences"));
    p = sample_plan();
    p.sram_bytes = 0;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("sram_bytes"));
    p = sample_plan();
    p.chips[1].chip = 0;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("lists chip 0 twice"));
}

TEST_CASE("validate rejects roles outside the grid", "[plan]") {
    auto p = sample_plan();
    p.chips[1].role.tp_rank = 2;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("chip 1 role tp_rank 2"));
    p = sample_plan();
    p.chips[0].role.heads = {4, 2};
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("chip 0 role heads: range [4, 2) is reversed"));
}

TEST_CASE("validate rejects buffers outside SRAM or overlapping", "[plan]") {
    auto p = sample_plan();
    p.chips[0].buffers[3].sram_offset_bytes = p.sram_bytes - 100;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("chip 0 buffer 3 'rx'") && Contains("outside SRAM"));
    p = sample_plan();
    p.chips[0].buffers[0].size_bytes = std::numeric_limits<std::int64_t>::max();
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("outside SRAM"));
    p = sample_plan();
    p.chips[0].buffers[3].size_bytes = 0;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("size_bytes must be positive"));
    // Reusable x and y share a region; a non-reusable buffer may not overlap them.
    p = sample_plan();
    p.chips[1].buffers[2].reusable = false;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("overlaps") && Contains("'x'") && Contains("'y'"));
    p = sample_plan();
    p.chips[1].buffers[3].sram_offset_bytes = 4000;  // into the end of the weights
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("chip 1 buffer 3 'rx' (receive) overlaps chip 1 buffer 0 'wq' (weights)"));
}

TEST_CASE("validate rejects cycles going backwards and bad operands", "[plan]") {
    auto p = sample_plan();
    p.chips[1].instructions[3].cycle = 150;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("chip 1 instruction 3 (add): cycle 150 is before"));
    p = sample_plan();
    std::get<plan::Compute>(p.chips[0].instructions[0].body).outputs = {9};
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("chip 0 instruction 0 (rmsnorm): output buffer 9 does not exist"));
    p = sample_plan();
    std::get<plan::Compute>(p.chips[0].instructions[1].body).cycles_per_1024_positions = -1;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("cycles_per_1024_positions must be between 0 and 2^48"));
    p = sample_plan();
    std::get<plan::Compute>(p.chips[0].instructions[1].body).sequence = 1;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("sequence 1 is outside the batch of 1"));
    p = sample_plan();
    std::get<plan::Deskew>(p.chips[0].instructions[4].body).pad_cycles = -5;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("pad_cycles"));
    p = sample_plan();
    transfer_at(p, 0, 2).bytes = 2048;
    transfer_at(p, 1, 2).bytes = 2048;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("does not fit chip 0 buffer 1 'x' (activation)"));
}

TEST_CASE("validate bounds every cycle count at 2^48, so sums of steps cannot wrap", "[plan]") {
    // One corrupted word: a sync at 2^62 cycles made a step of 4.6e18 cycles,
    // and two of them wrapped past 2^63.
    auto p = sample_plan();
    p.chips[1].instructions.back().cycle = std::int64_t{1} << 62;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("chip 1 instruction 6: cycle must be between 0 and 2^48 cycles, "
                                                    "got 4611686018427387904"));
    p = sample_plan();
    p.chips[1].instructions.back().cycle = plan::max_plan_cycles;  // the bound itself is allowed
    p.chips[0].instructions.back().cycle = plan::max_plan_cycles;
    REQUIRE_NOTHROW(plan::validate(p));
    p = sample_plan();
    std::get<plan::Compute>(p.chips[0].instructions[0].body).cycles = plan::max_plan_cycles + 1;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("(rmsnorm): cycles must be between 0 and 2^48"));
    p = sample_plan();
    std::get<plan::Deskew>(p.chips[0].instructions[4].body).pad_cycles = std::numeric_limits<std::int64_t>::max();
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("pad_cycles must be between 0 and 2^48"));
    p = sample_plan();
    transfer_at(p, 0, 2).flight_cycles = std::int64_t{1} << 50;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("flight_cycles must be between 0 and 2^48"));
    p = sample_plan();
    p.transfer_latency_cycles = std::int64_t{1} << 60;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("transfer_latency_cycles must be between 0 and 2^48"));
}

TEST_CASE("validate rejects unmatched, mismatched and early transfers", "[plan]") {
    auto p = sample_plan();
    transfer_at(p, 1, 2).tag = 9;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("send of tag 7 from chip 0 to chip 1 has no matching recv"));
    p = sample_plan();
    p.chips[1].instructions.erase(p.chips[1].instructions.begin() + 1);
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("recv of tag 8 from chip 1 to chip 0 has no matching send"));
    p = sample_plan();
    transfer_at(p, 1, 2).bytes = 128;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("recv of 128 bytes does not match the 256 bytes sent"));
    p = sample_plan();
    transfer_at(p, 0, 2).peer = 5;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("peer chip 5 is not a chip of the plan"));
    p = sample_plan();
    transfer_at(p, 0, 2).peer = 0;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("transfer to itself"));
    p = sample_plan();
    p.transfer_latency_cycles = 150;
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("recv at cycle 160 is earlier than the send at cycle 60"));
}

TEST_CASE("validate rejects a tag used twice for one chip pair", "[plan]") {
    auto p = sample_plan();
    // A second 0 -> 1 transfer with tag 7, properly received: the tag is ambiguous.
    p.chips[0].instructions.insert(p.chips[0].instructions.begin() + 3, {60, plan::Send{{1, 7, 256, {0}, 1}}});
    p.chips[1].instructions.insert(p.chips[1].instructions.begin() + 3, {160, plan::Recv{{0, 7, 256, {0}, 3}}});
    REQUIRE_THROWS_WITH(plan::validate(p), Contains("tag 7 from chip 0 to chip 1 is already used by chip 0 instruction 2"));
    // The same tag in the other direction is a different pair and is fine.
    p = sample_plan();
    transfer_at(p, 1, 1).tag = 7;
    transfer_at(p, 0, 3).tag = 7;
    REQUIRE_NOTHROW(plan::validate(p));
}
