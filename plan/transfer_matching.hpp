#pragma once
// Pairs every Send of a plan with its Recv: same tag, the sender's peer is the
// receiver and the receiver's peer is the sender. Shared by validation (which
// checks bytes and cycles of each pair) and retiming (which keeps each Recv after
// its Send).
#include <cstddef>
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::plan {

// An instruction of a plan by position: plan.chips[chip].instructions[instruction].
struct InstructionIndex {
    std::size_t chip = 0;
    std::size_t instruction = 0;
};

struct MatchedTransfer {
    InstructionIndex send;
    InstructionIndex recv;
};

// Throws lpu::Error for a peer that is not a chip of the plan or is the chip
// itself, a tag used twice for one (sender, receiver) pair, and a Send without
// its Recv or a Recv without its Send. Chip ids must be unique (validate checks).
// Pairs are listed in the order of their Sends (chip, then instruction).
std::vector<MatchedTransfer> match_transfers(const Plan& plan);

// "chip 3 instruction 7", for error messages.
std::string describe(const Plan& plan, InstructionIndex index);

}  // namespace lpu::plan
