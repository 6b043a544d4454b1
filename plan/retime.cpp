#include "plan/retime.hpp"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "plan/transfer_matching.hpp"

namespace lpu::plan {
namespace {

std::int64_t checked_add(std::int64_t a, std::int64_t b, std::int64_t position) {
    std::int64_t sum = 0;
    require(!__builtin_add_overflow(a, b, &sum), [&] {
        return "retiming the plan for position " + std::to_string(position) + " overflows the 64-bit cycle count";
    });
    return sum;
}

// Cycles a compute takes at `position`, beyond its position-independent duration.
std::int64_t extra_cycles(const Compute& compute, std::int64_t position) {
    return compute_cycles_at(compute, position) - compute.cycles;
}

}  // namespace

Retimer::Retimer(const Plan& plan) : plan_(plan), transfers_(match_transfers(plan)), send_of_(plan.chips.size()) {
    for (std::size_t c = 0; c < plan.chips.size(); ++c) send_of_[c].resize(plan.chips[c].instructions.size());
    for (const MatchedTransfer& pair : transfers_) send_of_[pair.recv.chip][pair.recv.instruction] = pair.send;
}

StepTiming Retimer::timing(std::int64_t position) const {
    const std::vector<std::int64_t> positions(plan_.grid.batch, position);
    return timing(positions);
}

StepTiming Retimer::timing(std::span<const std::int64_t> positions) const {
    require(positions.size() == plan_.grid.batch, [&] {
        return "cannot retime a plan of batch " + std::to_string(plan_.grid.batch) + " for " +
               std::to_string(positions.size()) + " positions";
    });
    for (const std::int64_t position : positions) {
        require(position >= 0, "cannot retime a plan for negative position " + std::to_string(position));
    }
    // The largest position names the step in overflow messages.
    const std::int64_t position = *std::max_element(positions.begin(), positions.end());
    const auto& chips = plan_.chips;
    StepTiming timing{std::vector<std::vector<std::int64_t>>(chips.size()), std::vector<std::vector<std::int64_t>>(chips.size())};
    for (std::size_t c = 0; c < chips.size(); ++c) {
        timing.cycles[c].resize(chips[c].instructions.size());
        timing.durations[c].resize(chips[c].instructions.size());
    }
    // Run each chip as far as it can go: an instruction is placed once the Send
    // its Recv waits for is placed. A chip that must wait is parked on the
    // sender's chip and woken when that chip has run again, so the work is
    // proportional to the instructions, not to chips x rounds. The order in
    // which chips run only decides how the work interleaves, never the cycles,
    // so the result is deterministic.
    std::vector<std::size_t> placed(chips.size(), 0);
    std::vector<std::int64_t> shift_cycles(chips.size(), 0);
    std::vector<std::vector<std::size_t>> waiting_on(chips.size());  // per chip: chips parked on it
    std::vector<std::size_t> ready(chips.size());
    for (std::size_t c = 0; c < chips.size(); ++c) ready[c] = chips.size() - 1 - c;  // chip 0 runs first
    while (!ready.empty()) {
        const std::size_t c = ready.back();
        ready.pop_back();
        const auto& instructions = chips[c].instructions;
        const std::size_t placed_before = placed[c];
        while (placed[c] < instructions.size()) {
            const std::size_t i = placed[c];
            const Instruction& instruction = instructions[i];
            std::int64_t cycle = checked_add(instruction.cycle, shift_cycles[c], position);
            if (const auto& send = send_of_[c][i]) {
                if (placed[send->chip] <= send->instruction) {
                    waiting_on[send->chip].push_back(c);
                    break;
                }
                const std::int64_t send_cycle = timing.cycles[send->chip][send->instruction];
                const std::int64_t latency = arrival_latency_cycles(plan_, std::get<Recv>(instruction.body));
                cycle = std::max(cycle, checked_add(send_cycle, latency, position));
            }
            timing.cycles[c][i] = cycle;
            shift_cycles[c] = cycle - instruction.cycle;
            std::int64_t duration = instruction_duration(instruction.body);
            if (const auto* compute = std::get_if<Compute>(&instruction.body)) {
                const std::int64_t extra = extra_cycles(*compute, positions[compute->sequence]);
                duration = checked_add(duration, extra, position);
                shift_cycles[c] = checked_add(shift_cycles[c], extra, position);
            }
            timing.durations[c][i] = duration;
            ++placed[c];
        }
        // Chips parked on this one try again (those still blocked park again).
        if (placed[c] > placed_before) {
            for (std::size_t waiter : waiting_on[c]) ready.push_back(waiter);
            waiting_on[c].clear();
        }
    }
    for (std::size_t c = 0; c < chips.size(); ++c) {
        require(placed[c] == chips[c].instructions.size(), [&] {
            return describe(plan_, {c, placed[c]}) +
                   ": recv waits for a send that itself waits on this chip (the transfers form a cycle)";
        });
    }
    return timing;
}

Plan Retimer::retime(std::int64_t position) const {
    const std::vector<std::int64_t> positions(plan_.grid.batch, position);
    return retime(positions);
}

Plan Retimer::retime(std::span<const std::int64_t> positions) const {
    const StepTiming concrete = timing(positions);
    Plan retimed = plan_;
    for (std::size_t c = 0; c < retimed.chips.size(); ++c) {
        auto& instructions = retimed.chips[c].instructions;
        for (std::size_t i = 0; i < instructions.size(); ++i) {
            instructions[i].cycle = concrete.cycles[c][i];
            if (auto* compute = std::get_if<Compute>(&instructions[i].body)) {
                compute->cycles = concrete.durations[c][i];
                compute->cycles_per_1024_positions = 0;
            }
        }
    }
    return retimed;
}

std::int64_t StepTiming::end_cycle() const {
    std::int64_t end = 0;
    for (std::size_t c = 0; c < cycles.size(); ++c) {
        for (std::size_t i = 0; i < cycles[c].size(); ++i) end = std::max(end, cycles[c][i] + durations[c][i]);
    }
    return end;
}

Plan retime(const Plan& plan, std::int64_t position) { return Retimer(plan).retime(position); }

std::int64_t step_end_cycle(const Plan& plan) {
    std::int64_t end = 0;
    for (const ChipProgram& chip : plan.chips) {
        for (const Instruction& instruction : chip.instructions) {
            std::int64_t duration = instruction_duration(instruction.body);
            if (const auto* compute = std::get_if<Compute>(&instruction.body)) duration = compute_cycles_at(*compute, 0);
            end = std::max(end, instruction.cycle + duration);
        }
    }
    return end;
}

}  // namespace lpu::plan
