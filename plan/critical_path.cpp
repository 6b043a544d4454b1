#include "plan/critical_path.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "plan/transfer_matching.hpp"

namespace lpu::plan {
namespace {

// What the path calls the time an instruction takes (only instructions with a duration).
std::string work_name(const InstructionBody& body) {
    if (const auto* compute = std::get_if<Compute>(&body)) return op_kind_name(compute->op);
    if (std::holds_alternative<Deskew>(body)) return "deskew";
    return "runtime deskew";
}

// The instruction that ends last: the latest end of any chip, the first chip on
// a tie, and within a chip its last instruction with that end.
std::optional<InstructionIndex> last_to_finish(const Plan& plan) {
    std::optional<InstructionIndex> last;
    std::int64_t last_end = 0;
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        const auto& instructions = plan.chips[c].instructions;
        std::optional<std::size_t> chip_last;
        for (std::size_t i = 0; i < instructions.size(); ++i) {
            if (!chip_last || instruction_end_cycle(instructions[i]) >= instruction_end_cycle(instructions[*chip_last])) chip_last = i;
        }
        if (!chip_last) continue;
        const std::int64_t end = instruction_end_cycle(instructions[*chip_last]);
        if (!last || end > last_end) {
            last = InstructionIndex{c, *chip_last};
            last_end = end;
        }
    }
    return last;
}

}  // namespace

CriticalPath critical_path(const Plan& plan) {
    std::map<std::pair<std::size_t, std::size_t>, InstructionIndex> send_of_recv;
    for (const MatchedTransfer& pair : match_transfers(plan)) send_of_recv.emplace(std::pair{pair.recv.chip, pair.recv.instruction}, pair.send);

    CriticalPath path;
    const auto last = last_to_finish(plan);
    if (!last) return path;
    path.end_cycle = instruction_end_cycle(plan.chips[last->chip].instructions[last->instruction]);

    // Walk back in time from the end; `cycle` is where the part found so far begins.
    std::vector<PathSegment> reversed;
    auto add = [&](topology::ChipId chip, std::int64_t from, std::int64_t to, std::string what) {
        if (to > from) reversed.push_back({chip, from, to, std::move(what)});
    };
    std::size_t c = last->chip;
    std::size_t next = last->instruction + 1;  // one past the instruction to look at
    std::int64_t cycle = path.end_cycle;
    while (next > 0) {
        const std::size_t i = --next;
        const auto& program = plan.chips[c];
        const Instruction& instruction = program.instructions[i];
        const std::int64_t end = std::min(instruction_end_cycle(instruction), cycle);
        add(program.chip, end, cycle, "idle");
        add(program.chip, instruction.cycle, end, work_name(instruction.body));
        cycle = std::min(instruction.cycle, end);
        if (!std::holds_alternative<Recv>(instruction.body)) continue;
        const std::int64_t previous_end = i > 0 ? instruction_end_cycle(program.instructions[i - 1]) : 0;
        if (instruction.cycle <= previous_end) continue;  // the data was there before the chip needed it
        const InstructionIndex send = send_of_recv.at({c, i});
        const std::int64_t send_cycle = plan.chips[send.chip].instructions[send.instruction].cycle;
        add(program.chip, send_cycle, cycle, "transfer from chip " + std::to_string(plan.chips[send.chip].chip));
        cycle = std::min(send_cycle, cycle);
        c = send.chip;
        next = send.instruction;  // the Send is an instant: go on with what came before it
    }
    add(plan.chips[c].chip, 0, cycle, "idle");
    path.segments.assign(reversed.rbegin(), reversed.rend());
    return path;
}

}  // namespace lpu::plan
