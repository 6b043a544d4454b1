#include "runtime/chip/cycle_account.hpp"

#include "base/error.hpp"

namespace lpu::chip {

std::string op_kind_name(OpKind kind) {
    switch (kind) {
        case OpKind::Matmul: return "matmul";
        case OpKind::Vector: return "vector";
        case OpKind::Attention: return "attention";
        case OpKind::Transfer: return "transfer";
        case OpKind::Stall: return "stall";
    }
    return "unknown";
}

void CycleAccount::charge(OpKind kind, std::int64_t cycles) {
    invariant(cycles >= 0, "cannot charge " + std::to_string(cycles) + " cycles of " +
                               op_kind_name(kind));
    std::int64_t total = 0;
    require(!__builtin_add_overflow(total_cycles_, cycles, &total),
            "cycle account overflow charging " + std::to_string(cycles) + " cycles of " +
                op_kind_name(kind));
    // Every other counter is at most the total, so none of them can overflow.
    total_cycles_ = total;
    step_cycles_ += cycles;
    total_by_kind_[index(kind)] += cycles;
    step_by_kind_[index(kind)] += cycles;
}

void CycleAccount::reset_step() {
    step_cycles_ = 0;
    step_by_kind_ = {};
}

}  // namespace lpu::chip
