#include "plan/retime.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "plan/validation.hpp"
#include "tests/plan/sample_plan.hpp"

using Catch::Matchers::Contains;
using lpu::plan::testing::sample_plan;
namespace plan = lpu::plan;

namespace {

std::vector<std::int64_t> cycles_of(const plan::ChipProgram& program) {
    std::vector<std::int64_t> cycles;
    for (const auto& instruction : program.instructions) cycles.push_back(instruction.cycle);
    return cycles;
}

}  // namespace

TEST_CASE("retime at position 0 adds one position of attention and keeps recvs after sends", "[plan]") {
    const auto retimed = plan::retime(sample_plan(), 0);
    // Chip 0's attention takes 4 more cycles; its send moves to 64, its recv waits
    // for chip 1's send at 100 plus latency 100 and then the shift: 204.
    REQUIRE(cycles_of(retimed.chips[0]) == std::vector<std::int64_t>{0, 10, 64, 204, 214, 219});
    // Chip 1's recv must wait for 64 + 100 = 164 instead of 160; the rest follows.
    REQUIRE(cycles_of(retimed.chips[1]) == std::vector<std::int64_t>{0, 100, 164, 174, 179, 184, 219});
    const auto& attention = std::get<plan::Compute>(retimed.chips[0].instructions[1].body);
    REQUIRE(attention.cycles == 54);
    REQUIRE(attention.cycles_per_1024_positions == 0);
    REQUIRE_NOTHROW(plan::validate(retimed));
}

TEST_CASE("retime at a later position shifts both chips through the transfers", "[plan]") {
    const auto base = sample_plan();
    const auto retimed = plan::retime(base, 99);
    REQUIRE(cycles_of(retimed.chips[0]) == std::vector<std::int64_t>{0, 10, 460, 600, 610, 615});
    REQUIRE(cycles_of(retimed.chips[1]) == std::vector<std::int64_t>{0, 100, 560, 570, 575, 580, 615});
    REQUIRE(std::get<plan::Compute>(retimed.chips[0].instructions[1].body).cycles == 450);
    REQUIRE_NOTHROW(plan::validate(retimed));
    // Deterministic, and the input plan is untouched.
    REQUIRE(plan::retime(base, 99) == retimed);
    REQUIRE(base == sample_plan());
    // A retimed plan has no position-dependent work left.
    REQUIRE(plan::retime(retimed, 5) == retimed);
}

TEST_CASE("retime gives each sequence of a batch its own position", "[plan]") {
    // The sample plan's one position-dependent op (chip 0's attention), as sequence 1's of a batch of 2.
    auto batched = sample_plan();
    batched.grid.batch = 2;
    std::get<plan::Compute>(batched.chips[0].instructions[1].body).sequence = 1;
    REQUIRE_NOTHROW(plan::validate(batched));
    const plan::Retimer retimer(batched);
    const std::vector<std::int64_t> late_second{0, 99}, late_first{99, 0};
    const auto same_cycles = [](const plan::Plan& a, const plan::Plan& b) {
        for (std::size_t c = 0; c < a.chips.size(); ++c) {
            if (cycles_of(a.chips[c]) != cycles_of(b.chips[c])) return false;
        }
        return true;
    };
    // Only sequence 1's position moves its attention.
    CHECK(same_cycles(retimer.retime(late_second), plan::retime(sample_plan(), 99)));
    CHECK(same_cycles(retimer.retime(late_first), plan::retime(sample_plan(), 0)));
    CHECK(retimer.timing(late_second).end_cycle() == plan::Retimer(sample_plan()).timing(99).end_cycle());
    const std::vector<std::int64_t> one{5};
    REQUIRE_THROWS_WITH(retimer.timing(one), Contains("batch 2 for 1 positions"));
    const std::vector<std::int64_t> negative{3, -2};
    REQUIRE_THROWS_WITH(retimer.timing(negative), Contains("negative position -2"));
}

TEST_CASE("retime rejects a negative position, overflow and transfers waiting in a cycle", "[plan]") {
    REQUIRE_THROWS_WITH(plan::retime(sample_plan(), -1), Contains("negative position -1"));

    auto huge = sample_plan();
    std::get<plan::Compute>(huge.chips[0].instructions[1].body).cycles_per_1024_positions = std::int64_t{1} << 40;
    REQUIRE_THROWS_WITH(plan::retime(huge, std::int64_t{1} << 40), Contains("overflows"));

    // Each chip receives before it sends, so neither receive can ever complete.
    auto deadlock = sample_plan();
    deadlock.transfer_latency_cycles = 0;
    auto& first = deadlock.chips[0].instructions;
    first = {{0, plan::Recv{{1, 8, 256, {1}, 3}}}, {0, plan::Send{{1, 7, 256, {0}, 1}}}};
    auto& second = deadlock.chips[1].instructions;
    second = {{0, plan::Recv{{0, 7, 256, {0}, 3}}}, {0, plan::Send{{0, 8, 256, {1}, 2}}}};
    REQUIRE_NOTHROW(plan::validate(deadlock));
    REQUIRE_THROWS_WITH(plan::retime(deadlock, 0), Contains("form a cycle"));
}
