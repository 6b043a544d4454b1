#include "launch/mailbox_limit.hpp"

#include <algorithm>
#include <map>
#include <variant>

#include "launch/remote_mailbox.hpp"

namespace lpu::launch {

std::uint64_t run_mailbox_limit(const plan::Plan& plan, const std::vector<int>& rank_of_chip, int rank) {
    const auto rank_of = [&](topology::ChipId chip) { return chip < rank_of_chip.size() ? rank_of_chip[chip] : -1; };
    std::map<int, std::uint64_t> step_bytes;  // by sending process
    for (const plan::ChipProgram& program : plan.chips) {
        const int from = rank_of(program.chip);
        if (from == rank) continue;
        for (const plan::Instruction& instruction : program.instructions) {
            const auto* send = std::get_if<plan::Send>(&instruction.body);
            if (send != nullptr && rank_of(send->peer) == rank) {
                step_bytes[from] += static_cast<std::uint64_t>(send->bytes) + RemoteMailbox::kMessageOverheadBytes;
            }
        }
    }
    std::uint64_t most = 0;
    for (const auto& [from, bytes] : step_bytes) most = std::max(most, bytes);
    return RemoteMailbox::kDefaultLimitBytes + 2 * most;
}

}  // namespace lpu::launch
