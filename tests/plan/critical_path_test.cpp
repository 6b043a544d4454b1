#include "plan/critical_path.hpp"

#include <catch2/catch.hpp>

#include "plan/retime.hpp"
#include "plan/validation.hpp"
#include "tests/plan/sample_plan.hpp"

namespace plan = lpu::plan;
using plan::PathSegment;

namespace {

plan::Instruction at(std::int64_t cycle, plan::InstructionBody body) {
    plan::Instruction instruction;
    instruction.cycle = cycle;
    instruction.body = std::move(body);
    return instruction;
}

plan::Compute matmul(std::int64_t cycles) {
    plan::Compute compute;
    compute.op = plan::OpKind::matmul;
    compute.shape = {8, 8};
    compute.cycles = cycles;
    return compute;
}

template <typename Side>
Side transfer(lpu::topology::ChipId peer, std::uint64_t tag) {
    Side side;
    side.peer = peer;
    side.tag = tag;
    side.bytes = 64;
    return side;
}

// Three pipeline stages: chip 0 computes and sends to chip 1, which computes and
// sends to chip 2; chip 2 computes for `chip2_first_cycles` before it receives.
plan::Plan chain_plan(std::int64_t chip2_first_cycles) {
    plan::Plan chain;
    chain.grid.pp = 3;
    chain.sram_bytes = 1 << 16;
    chain.transfer_latency_cycles = 50;
    for (std::uint32_t stage = 0; stage < 3; ++stage) {
        plan::ChipProgram program;
        program.chip = stage;
        program.role.pp_stage = stage;
        plan::Buffer buffer;
        buffer.name = "activations";
        buffer.size_bytes = 64;
        program.buffers = {buffer};
        chain.chips.push_back(program);
    }
    chain.chips[0].instructions = {at(0, matmul(100)), at(100, transfer<plan::Send>(1, 1))};
    chain.chips[1].instructions = {at(150, transfer<plan::Recv>(0, 1)), at(150, matmul(100)), at(250, transfer<plan::Send>(2, 2))};
    const std::int64_t recv_cycle = std::max<std::int64_t>(300, chip2_first_cycles);
    chain.chips[2].instructions = {at(0, matmul(chip2_first_cycles)), at(recv_cycle, transfer<plan::Recv>(1, 2)),
                                   at(recv_cycle, matmul(10))};
    plan::validate(chain);
    return chain;
}

}  // namespace

TEST_CASE("the critical path follows the transfers that made chips wait", "[plan][critical_path]") {
    const auto path = plan::critical_path(chain_plan(20));
    CHECK(path.end_cycle == 310);
    CHECK(path.segments == std::vector<PathSegment>{{0, 0, 100, "matmul"},
                                                    {1, 100, 150, "transfer from chip 0"},
                                                    {1, 150, 250, "matmul"},
                                                    {2, 250, 300, "transfer from chip 1"},
                                                    {2, 300, 310, "matmul"}});
}

TEST_CASE("a recv whose data arrived before the chip needed it keeps the path on its chip", "[plan][critical_path]") {
    const auto path = plan::critical_path(chain_plan(400));
    CHECK(path.end_cycle == 410);
    CHECK(path.segments == std::vector<PathSegment>{{2, 0, 400, "matmul"}, {2, 400, 410, "matmul"}});
}

TEST_CASE("the critical path of the sample step tiles the step with work, transfers, idle time and deskews",
          "[plan][critical_path]") {
    // Retimed at position 0 both chips end at 219; chip 0 (first on a tie) waited in
    // its recv at 204 for chip 1's send at 100, then idles until its deskew at 214.
    const auto path = plan::critical_path(plan::retime(plan::testing::sample_plan(), 0));
    CHECK(path.end_cycle == 219);
    CHECK(path.segments == std::vector<PathSegment>{{1, 0, 100, "matmul"},
                                                    {0, 100, 204, "transfer from chip 1"},
                                                    {0, 204, 214, "idle"},
                                                    {0, 214, 219, "deskew"}});
}

TEST_CASE("instruction ends count compute durations and deskew pads", "[plan][critical_path]") {
    CHECK(plan::instruction_end_cycle(at(10, matmul(5))) == 15);
    CHECK(plan::instruction_end_cycle(at(10, plan::Deskew{7})) == 17);
    CHECK(plan::instruction_end_cycle(at(10, plan::RuntimeDeskew{9})) == 19);
    CHECK(plan::instruction_end_cycle(at(10, transfer<plan::Send>(1, 1))) == 10);
    CHECK(plan::instruction_end_cycle(at(10, plan::Sync{0})) == 10);
}

TEST_CASE("an empty plan has an empty critical path", "[plan][critical_path]") {
    const auto path = plan::critical_path(plan::Plan{});
    CHECK(path.end_cycle == 0);
    CHECK(path.segments.empty());
}
