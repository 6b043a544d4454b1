#include "collectives/schedule.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "base/error.hpp"

namespace lpu::collectives {

ElementRange block_range(std::uint64_t count, std::uint64_t blocks, std::uint64_t index) {
    invariant(blocks > 0 && index < blocks,
              "block " + std::to_string(index) + " of " + std::to_string(blocks) + " blocks does not exist");
    const std::uint64_t base = count / blocks;
    const std::uint64_t extra = count % blocks;
    return {index * base + std::min(index, extra), base + (index < extra ? 1 : 0)};
}

ElementRange sub_block(const ElementRange& range, std::uint64_t blocks, std::uint64_t index) {
    const ElementRange block = block_range(range.count, blocks, index);
    return {range.offset + block.offset, block.count};
}

ElementRange all_to_all_slot(std::uint64_t count, std::uint64_t participants, std::uint64_t slot) {
    invariant(participants > 0 && slot < participants, "alltoall slot " + std::to_string(slot) + " of " +
                                                           std::to_string(participants) + " does not exist");
    const std::uint64_t size = (count + participants - 1) / participants;
    return {count + slot * size, size};
}

std::uint64_t buffer_elements_for(CollectiveOp op, std::uint64_t count, std::uint64_t participants) {
    if (op != CollectiveOp::all_to_all) return count;
    return all_to_all_slot(count, participants, participants - 1).end();
}

std::size_t Schedule::transfer_count() const {
    std::size_t total = 0;
    for (const auto& step : steps) total += step.transfers.size();
    return total;
}

std::size_t Schedule::participant_index(ChipId chip) const {
    const auto found = std::find(participants.begin(), participants.end(), chip);
    invariant(found != participants.end(), "chip " + std::to_string(chip) + " does not take part in the schedule");
    return static_cast<std::size_t>(found - participants.begin());
}

bool Schedule::offset_preserving() const {
    for (const auto& step : steps) {
        for (const auto& transfer : step.transfers) {
            if (transfer.src_offset != transfer.dst_offset) return false;
        }
    }
    return true;
}

namespace {

std::string where(std::size_t step, std::size_t transfer) {
    return "step " + std::to_string(step) + " transfer " + std::to_string(transfer);
}

void validate_transfer(const Schedule& schedule, const topology::Topology& topology, const Transfer& transfer,
                       const std::string& at) {
    schedule.participant_index(transfer.src);
    schedule.participant_index(transfer.dst);
    invariant(transfer.count > 0, at + ": count is 0");
    for (auto [name, offset] : {std::pair{"src_offset", transfer.src_offset}, std::pair{"dst_offset", transfer.dst_offset}}) {
        invariant(offset <= schedule.buffer_elements && transfer.count <= schedule.buffer_elements - offset,
                  at + ": " + name + " " + std::to_string(offset) + " + count " + std::to_string(transfer.count) +
                      " exceeds the buffer of " + std::to_string(schedule.buffer_elements) + " elements");
    }
    ChipId at_chip = transfer.src;
    for (std::size_t hop = 0; hop < transfer.route.size(); ++hop) {
        const ChannelId channel = transfer.route[hop];
        invariant(channel < topology.channel_count(),
                  at + ": route channel " + std::to_string(channel) + " is not a channel of the topology");
        invariant(topology.channel_source(channel) == at_chip,
                  at + ": route hop " + std::to_string(hop) + " (channel " + std::to_string(channel) +
                      ") does not leave chip " + std::to_string(at_chip));
        at_chip = topology.channel_target(channel);
    }
    invariant(at_chip == transfer.dst, at + ": route ends at chip " + std::to_string(at_chip) + ", not at dst " +
                                           std::to_string(transfer.dst));
}

struct Access {
    std::uint64_t offset = 0;
    std::uint64_t end = 0;
    std::size_t transfer = 0;
    TransferKind kind = TransferKind::copy;
};

// Reads and writes of one chip in one step.
struct ChipAccesses {
    std::vector<Access> reads;
    std::vector<Access> writes;
};

std::string overlap_error(std::size_t step_index, ChipId chip, std::size_t a, std::size_t b, const char* what) {
    return "step " + std::to_string(step_index) + ": on chip " + std::to_string(chip) + ", transfers " +
           std::to_string(std::min(a, b)) + " and " + std::to_string(std::max(a, b)) + " " + what;
}

// The terms of one tree fold share their range exactly, and no other transfer
// of the step writes into it (the fold's result replaces the region).
void check_tree_terms(const std::map<ChipId, std::vector<Access>>& trees, const std::map<ChipId, ChipAccesses>& chips,
                      std::size_t step_index) {
    for (const auto& tree : trees) {
        const ChipId chip = tree.first;  // (no structured binding: lambdas below capture them, which clang 14 refuses)
        const std::vector<Access>& terms = tree.second;
        for (std::size_t i = 0; i < terms.size(); ++i) {
            for (std::size_t j = i + 1; j < terms.size(); ++j) {
                const bool same = terms[i].offset == terms[j].offset && terms[i].end == terms[j].end;
                const bool apart = terms[i].end <= terms[j].offset || terms[j].end <= terms[i].offset;
                invariant(same || apart, [&] {
                    return overlap_error(step_index, chip, terms[i].transfer, terms[j].transfer,
                                         "are terms of tree folds over overlapping but different ranges");
                });
            }
            const auto found = chips.find(chip);
            if (found == chips.end()) continue;
            for (const auto& write : found->second.writes) {
                invariant(write.end <= terms[i].offset || terms[i].end <= write.offset, [&] {
                    return overlap_error(step_index, chip, terms[i].transfer, write.transfer,
                                         "write overlapping elements and one of them is a tree fold's term");
                });
            }
        }
    }
}

void check_step_rule(const Step& step, std::size_t step_index) {
    std::map<ChipId, ChipAccesses> chips;
    std::map<ChipId, std::vector<Access>> trees;
    for (std::size_t i = 0; i < step.transfers.size(); ++i) {
        const auto& t = step.transfers[i];
        chips[t.src].reads.push_back({t.src_offset, t.src_offset + t.count, i, t.kind});
        if (t.kind == TransferKind::tree_reduce) {
            trees[t.dst].push_back({t.dst_offset, t.dst_offset + t.count, i, t.kind});
        } else {
            chips[t.dst].writes.push_back({t.dst_offset, t.dst_offset + t.count, i, t.kind});
        }
    }
    check_tree_terms(trees, chips, step_index);
    const auto by_offset = [](const Access& a, const Access& b) { return a.offset < b.offset; };
    for (auto& [chip, accesses] : chips) {
        auto& reads = accesses.reads;
        auto& writes = accesses.writes;
        std::sort(reads.begin(), reads.end(), by_offset);
        std::sort(writes.begin(), writes.end(), by_offset);
        // reads_reach[i]: the read among reads[0..i] that ends last.
        std::vector<std::size_t> reads_reach(reads.size());
        for (std::size_t i = 0; i < reads.size(); ++i) {
            reads_reach[i] = (i > 0 && reads[reads_reach[i - 1]].end > reads[i].end) ? reads_reach[i - 1] : i;
        }
        for (const auto& write : writes) {
            const auto first_after = std::lower_bound(reads.begin(), reads.end(), Access{write.end, 0, 0, {}}, by_offset);
            const std::size_t before = static_cast<std::size_t>(first_after - reads.begin());
            if (before > 0 && reads[reads_reach[before - 1]].end > write.offset) {
                throw InternalError("step " + std::to_string(step_index) + ": on chip " + std::to_string(chip) +
                                    ", transfer " + std::to_string(write.transfer) + " writes elements that transfer " +
                                    std::to_string(reads[reads_reach[before - 1]].transfer) + " of the same step reads");
            }
        }
        const Access* reach = nullptr;
        for (const auto& write : writes) {
            if (reach != nullptr && reach->end > write.offset &&
                (reach->kind == TransferKind::copy || write.kind == TransferKind::copy)) {
                throw InternalError(overlap_error(step_index, chip, reach->transfer, write.transfer,
                                                  "write overlapping elements and one of them is a copy"));
            }
            if (reach == nullptr || write.end > reach->end) reach = &write;
        }
    }
}

}  // namespace

void validate(const Schedule& schedule, const topology::Topology& topology) {
    invariant(!schedule.participants.empty(), "a schedule needs at least one participant");
    invariant(schedule.element_bytes > 0, "element_bytes is 0");
    std::set<ChipId> seen;
    for (ChipId chip : schedule.participants) {
        invariant(chip < topology.chip_count(), "participant chip " + std::to_string(chip) + " is not in the topology (" +
                                                    std::to_string(topology.chip_count()) + " chips)");
        invariant(seen.insert(chip).second, "participant chip " + std::to_string(chip) + " is listed twice");
    }
    for (std::size_t s = 0; s < schedule.steps.size(); ++s) {
        const auto& step = schedule.steps[s];
        for (std::size_t i = 0; i < step.transfers.size(); ++i) {
            validate_transfer(schedule, topology, step.transfers[i], where(s, i));
        }
        check_step_rule(step, s);
    }
}

}  // namespace lpu::collectives
