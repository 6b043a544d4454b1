#include "plan/transfer_matching.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "base/error.hpp"

namespace lpu::plan {
namespace {

// (sender, receiver, tag) in topology chip ids.
using TransferKey = std::tuple<topology::ChipId, topology::ChipId, std::uint64_t>;

std::string describe_key(const TransferKey& key) {
    return "tag " + std::to_string(std::get<2>(key)) + " from chip " + std::to_string(std::get<0>(key)) + " to chip " +
           std::to_string(std::get<1>(key));
}

}  // namespace

std::string describe(const Plan& plan, InstructionIndex index) {
    return "chip " + std::to_string(plan.chips.at(index.chip).chip) + " instruction " + std::to_string(index.instruction);
}

std::vector<MatchedTransfer> match_transfers(const Plan& plan) {
    std::map<topology::ChipId, std::size_t> chip_index;
    for (std::size_t c = 0; c < plan.chips.size(); ++c) chip_index.emplace(plan.chips[c].chip, c);

    std::map<TransferKey, InstructionIndex> sends;
    std::map<TransferKey, InstructionIndex> recvs;
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        const auto& program = plan.chips[c];
        for (std::size_t i = 0; i < program.instructions.size(); ++i) {
            const auto& body = program.instructions[i].body;
            const bool is_send = std::holds_alternative<Send>(body);
            if (!is_send && !std::holds_alternative<Recv>(body)) continue;
            const Transfer& transfer = is_send ? static_cast<const Transfer&>(std::get<Send>(body))
                                               : static_cast<const Transfer&>(std::get<Recv>(body));
            const InstructionIndex here{c, i};
            // Messages are built only on failure: plans are matched before every run.
            if (!chip_index.contains(transfer.peer)) {
                throw Error(describe(plan, here) + ": peer chip " + std::to_string(transfer.peer) +
                            " is not a chip of the plan");
            }
            if (transfer.peer == program.chip) throw Error(describe(plan, here) + ": transfer to itself");
            const TransferKey key = is_send ? TransferKey{program.chip, transfer.peer, transfer.tag}
                                            : TransferKey{transfer.peer, program.chip, transfer.tag};
            auto& side = is_send ? sends : recvs;
            const auto [existing, inserted] = side.emplace(key, here);
            if (!inserted) {
                throw Error(describe(plan, here) + ": " + describe_key(key) + " is already used by " +
                            describe(plan, existing->second) + " (tags must be unique per chip pair)");
            }
        }
    }

    std::vector<MatchedTransfer> matched;
    matched.reserve(sends.size());
    for (const auto& [key, send] : sends) {
        const auto recv = recvs.find(key);
        if (recv == recvs.end()) throw Error(describe(plan, send) + ": send of " + describe_key(key) + " has no matching recv");
        matched.push_back({send, recv->second});
        recvs.erase(recv);
    }
    if (!recvs.empty()) {
        const auto& [key, recv] = *recvs.begin();
        throw Error(describe(plan, recv) + ": recv of " + describe_key(key) + " has no matching send");
    }
    std::sort(matched.begin(), matched.end(), [](const MatchedTransfer& a, const MatchedTransfer& b) {
        return std::tie(a.send.chip, a.send.instruction) < std::tie(b.send.chip, b.send.instruction);
    });
    return matched;
}

}  // namespace lpu::plan
