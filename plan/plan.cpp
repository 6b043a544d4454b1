#include "plan/plan.hpp"

#include <algorithm>
#include <string>

#include "base/error.hpp"

namespace lpu::plan {

const char* buffer_use_name(BufferUse use) {
    switch (use) {
        case BufferUse::weights: return "weights";
        case BufferUse::kv: return "kv";
        case BufferUse::activation: return "activation";
        case BufferUse::receive: return "receive";
    }
    return "unknown";
}

const char* op_kind_name(OpKind op) {
    switch (op) {
        case OpKind::embed: return "embed";
        case OpKind::rmsnorm: return "rmsnorm";
        case OpKind::matmul: return "matmul";
        case OpKind::rope: return "rope";
        case OpKind::attention: return "attention";
        case OpKind::swiglu: return "swiglu";
        case OpKind::add: return "add";
        case OpKind::lm_head: return "lm_head";
        case OpKind::route: return "route";
        case OpKind::expert_matmul: return "expert_matmul";
    }
    return "unknown";
}

std::int64_t instruction_duration(const InstructionBody& body) {
    if (const auto* compute = std::get_if<Compute>(&body)) return compute->cycles;
    if (const auto* deskew = std::get_if<Deskew>(&body)) return deskew->pad_cycles;
    if (const auto* runtime_deskew = std::get_if<RuntimeDeskew>(&body)) return runtime_deskew->max_pad_cycles;
    return 0;
}

std::int64_t compute_cycles_at(const Compute& compute, std::int64_t position) {
    std::int64_t scaled = 0, total = 0;
    const bool overflow = __builtin_mul_overflow(compute.cycles_per_1024_positions, position + 1, &scaled) ||
                          __builtin_add_overflow(compute.cycles, scaled / 1024, &total);
    require(!overflow, [&] {
        return "the cost of a compute at position " + std::to_string(position) + " overflows the 64-bit cycle count";
    });
    return total;
}

std::int64_t instruction_end_cycle(const Instruction& instruction) {
    return instruction.cycle + instruction_duration(instruction.body);
}

std::int64_t arrival_latency_cycles(const Plan& plan, const Transfer& transfer) {
    return std::max(plan.transfer_latency_cycles, transfer.flight_cycles);
}

}  // namespace lpu::plan
