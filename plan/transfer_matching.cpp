#include "plan/transfer_matching.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "base/error.hpp"

namespace lpu::plan {
namespace {

// (sender, receiver, tag) in topology chip ids.
using TransferKey = std::tuple<topology::ChipId, topology::ChipId, std::uint64_t>;

// One side of a transfer: its key and where it is.
struct Side {
    TransferKey key;
    InstructionIndex at;
};

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

    // Every side keyed by (sender, receiver, tag), then sorted: a plan of 70k
    // transfers is matched in milliseconds, and executors match before every run.
    std::vector<Side> sends, recvs;
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
            (is_send ? sends : recvs).push_back({key, here});
        }
    }
    // Stable: of two sides with one key, the one met first in the plan stays first.
    for (auto* side : {&sends, &recvs}) {
        std::stable_sort(side->begin(), side->end(), [](const Side& a, const Side& b) { return a.key < b.key; });
        const auto twice = std::adjacent_find(side->begin(), side->end(),
                                              [](const Side& a, const Side& b) { return a.key == b.key; });
        if (twice != side->end()) {
            throw Error(describe(plan, std::next(twice)->at) + ": " + describe_key(twice->key) + " is already used by " +
                        describe(plan, twice->at) + " (tags must be unique per chip pair)");
        }
    }

    // Both sorted by key: walk them together. A send without its recv is
    // reported first (the first by key), then a recv without its send.
    std::vector<MatchedTransfer> matched;
    matched.reserve(sends.size());
    std::optional<Side> unmatched_recv;
    auto recv = recvs.begin();
    for (const Side& send : sends) {
        for (; recv != recvs.end() && recv->key < send.key; ++recv) {
            if (!unmatched_recv) unmatched_recv = *recv;
        }
        if (recv == recvs.end() || send.key < recv->key) {
            throw Error(describe(plan, send.at) + ": send of " + describe_key(send.key) + " has no matching recv");
        }
        matched.push_back({send.at, recv->at});
        ++recv;
    }
    if (!unmatched_recv && recv != recvs.end()) unmatched_recv = *recv;
    if (unmatched_recv) {
        throw Error(describe(plan, unmatched_recv->at) + ": recv of " + describe_key(unmatched_recv->key) +
                    " has no matching send");
    }
    std::sort(matched.begin(), matched.end(), [](const MatchedTransfer& a, const MatchedTransfer& b) {
        return std::tie(a.send.chip, a.send.instruction) < std::tie(b.send.chip, b.send.instruction);
    });
    return matched;
}

}  // namespace lpu::plan
