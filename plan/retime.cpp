#include "plan/retime.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "plan/transfer_matching.hpp"

namespace lpu::plan {
namespace {

std::int64_t checked_add(std::int64_t a, std::int64_t b, std::int64_t position) {
    std::int64_t sum = 0;
    require(!__builtin_add_overflow(a, b, &sum),
            "retiming the plan for position " + std::to_string(position) + " overflows the 64-bit cycle count");
    return sum;
}

// Cycles a compute takes at `position`, beyond its position-independent duration.
std::int64_t extra_cycles(const Compute& compute, std::int64_t position) {
    std::int64_t extra = 0;
    require(!__builtin_mul_overflow(compute.cycles_per_position, checked_add(position, 1, position), &extra),
            "retiming the plan for position " + std::to_string(position) + " overflows the 64-bit cycle count");
    return extra;
}

}  // namespace

Plan retime(const Plan& plan, std::int64_t position) {
    require(position >= 0, "cannot retime a plan for negative position " + std::to_string(position));
    // For each Recv, the Send it waits for.
    std::vector<std::vector<std::optional<InstructionIndex>>> send_of(plan.chips.size());
    for (std::size_t c = 0; c < plan.chips.size(); ++c) send_of[c].resize(plan.chips[c].instructions.size());
    for (const MatchedTransfer& pair : match_transfers(plan)) send_of[pair.recv.chip][pair.recv.instruction] = pair.send;

    Plan retimed = plan;
    // Advance every chip in turn as far as it can go: an instruction is placed
    // once the Send its Recv waits for is placed. Chip order only decides how
    // the work interleaves, never the cycles, so the result is deterministic.
    std::vector<std::size_t> placed(plan.chips.size(), 0);
    std::vector<std::int64_t> shift_cycles(plan.chips.size(), 0);
    bool progressed = true;
    while (progressed) {
        progressed = false;
        for (std::size_t c = 0; c < plan.chips.size(); ++c) {
            auto& instructions = retimed.chips[c].instructions;
            while (placed[c] < instructions.size()) {
                const std::size_t i = placed[c];
                Instruction& instruction = instructions[i];
                const std::int64_t base_cycle = plan.chips[c].instructions[i].cycle;
                std::int64_t cycle = checked_add(base_cycle, shift_cycles[c], position);
                if (const auto& send = send_of[c][i]) {
                    if (placed[send->chip] <= send->instruction) break;
                    const std::int64_t send_cycle = retimed.chips[send->chip].instructions[send->instruction].cycle;
                    cycle = std::max(cycle, checked_add(send_cycle, plan.transfer_latency_cycles, position));
                }
                instruction.cycle = cycle;
                shift_cycles[c] = cycle - base_cycle;
                if (auto* compute = std::get_if<Compute>(&instruction.body)) {
                    const std::int64_t extra = extra_cycles(*compute, position);
                    compute->cycles = checked_add(compute->cycles, extra, position);
                    compute->cycles_per_position = 0;
                    shift_cycles[c] = checked_add(shift_cycles[c], extra, position);
                }
                ++placed[c];
                progressed = true;
            }
        }
    }
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        require(placed[c] == plan.chips[c].instructions.size(),
                describe(plan, {c, placed[c]}) + ": recv waits for a send that itself waits on this chip (the transfers form a cycle)");
    }
    return retimed;
}

}  // namespace lpu::plan
