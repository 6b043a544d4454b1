#pragma once
// CycleAccount: where one emulated chip's cycles went. Every op the chip runs is
// charged here with its cost from the CostModel, so each generation step has an
// emulated latency, split by kind, next to the running total.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lpu::chip {

enum class OpKind { Matmul, Vector, Attention, Transfer, Stall };
inline constexpr std::size_t kOpKindCount = 5;

std::string op_kind_name(OpKind kind);  // "matmul", "vector", ...

class CycleAccount {
public:
    // cycles >= 0 (lpu::InternalError otherwise); throws lpu::Error if the total
    // would overflow.
    void charge(OpKind kind, std::int64_t cycles);

    // Starts a new step (one token); totals since construction are kept.
    void reset_step();

    std::int64_t total_cycles() const { return total_cycles_; }
    std::int64_t total_cycles(OpKind kind) const { return total_by_kind_[index(kind)]; }
    std::int64_t step_cycles() const { return step_cycles_; }
    std::int64_t step_cycles(OpKind kind) const { return step_by_kind_[index(kind)]; }

private:
    static std::size_t index(OpKind kind) { return static_cast<std::size_t>(kind); }

    std::int64_t total_cycles_ = 0;
    std::int64_t step_cycles_ = 0;
    std::array<std::int64_t, kOpKindCount> total_by_kind_{};
    std::array<std::int64_t, kOpKindCount> step_by_kind_{};
};

}  // namespace lpu::chip
