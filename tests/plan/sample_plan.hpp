#pragma once
// A small hand-built 2-chip plan every plan test starts from: computes on both
// chips, a send/recv pair each way, a deskew, a collective, a runtime deskew and
// a closing sync. It validates; tests break one rule at a time.
#include "plan/plan.hpp"

namespace lpu::plan::testing {

inline std::vector<Buffer> sample_buffers() {
    return {{"wq", BufferUse::weights, 0, 4096, false},
            {"x", BufferUse::activation, 4096, 1024, true},
            {"y", BufferUse::activation, 4096, 1024, true},  // shares x's region by lifetime
            {"rx", BufferUse::receive, 8192, 512, false}};
}

inline Plan sample_plan() {
    Plan plan;
    plan.model = {0x1234abcdULL, "tiny dim 64 layers 2 heads 8/4 hidden 172 vocab 512 f32"};
    plan.system = {"ring:2", "tsp", 0x55aa55aaULL};
    plan.grid = {2, 1, 1, 1};
    plan.sram_bytes = 1 << 20;
    plan.transfer_latency_cycles = 100;

    ChipProgram first;
    first.chip = 0;
    first.role = {0, 0, {0, 2}, {0, 4}, {0, 2}, {0, 86}, {0, 256}};
    first.buffers = sample_buffers();
    first.instructions = {
        {0, Compute{OpKind::rmsnorm, {64}, {1}, {2}, 10, 0}},
        {10, Compute{OpKind::attention, {4, 16}, {2}, {1}, 50, 4 * 1024}},  // 4 cycles per position
        {60, Send{{1, 7, 256, {0}, 1}}},
        {200, Recv{{1, 8, 256, {1}, 3}}},
        {210, Deskew{5}},
        {215, Sync{0}},
    };

    ChipProgram second;
    second.chip = 1;
    second.role = {1, 0, {0, 2}, {4, 8}, {2, 4}, {86, 172}, {256, 512}};
    second.buffers = sample_buffers();
    second.instructions = {
        {0, Compute{OpKind::matmul, {64, 64}, {1}, {2}, 100, 0}},
        {100, Send{{0, 8, 256, {1}, 2}}},
        {160, Recv{{0, 7, 256, {0}, 3}}},
        {170, Compute{OpKind::add, {64}, {3, 2}, {1}, 5, 0}},
        {175, Collective{3, 1}},
        {180, RuntimeDeskew{20}},
        {215, Sync{0}},
    };
    plan.chips = {first, second};
    return plan;
}

}  // namespace lpu::plan::testing
