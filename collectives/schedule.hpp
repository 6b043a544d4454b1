#pragma once
// The schedule form: what a collective does, as data. An Algorithm emits it,
// the conflict checker and the cost model time it, the Executor runs it.
//
// Every participant owns one buffer of `buffer_elements` elements. Layouts:
//   allreduce       count elements in, the sum of all buffers out, in place.
//   reducescatter   count elements in; participant i ends with the sum of
//                   block i (block_range(count, n, i)) at that block's place.
//   allgather       participant i holds block i in place; all end with all.
//   broadcast       participants[0] (the root) holds count elements; all end with them.
//   reduce          participants[0] ends with the sum; the others' buffers are unchanged.
//   alltoall        buffer = [input: count elements in n blocks | output: n
//                   slots of ceil(count / n) elements]; input block j of
//                   participant i lands at the start of output slot i of
//                   participant j (see all_to_all_slot). An algorithm that
//                   forwards blocks stages them after the output slots
//                   (buffer_elements says how far). MoE dispatch is this op
//                   with a slot per (token owner, expert chip) sized for the
//                   worst case; combine is the same op again, the output
//                   slots being the input blocks (equal when n divides
//                   count), which sends every slot back to where it came from.
//   p2p             participants[0] sends count elements to participants[1].
//
// Semantics of a step (what makes lockstep execution well defined): every
// transfer of a step reads its source as it was when the step began, and no
// transfer writes a region that another transfer of the same step reads (the
// validator enforces it). Receives are applied in transfer order, so several
// reductions into one region fold in that fixed order: the result of a
// schedule is bitwise reproducible. A reduction is dst = dst + src (integers
// wrap modulo 2^bits).
//
// A tree reduction (one-shot all-reduce) folds differently: the tree_reduce
// transfers of a step into one region of a chip (all with that same range)
// and the region's own value are the terms of one balanced tree, in
// participant order: with m terms t_0..t_{m-1} and p the largest power of two
// <= m, leaves L_j = t_j (+ t_{p+j} when p + j < m), then L_j = L_j + L_{j+d}
// for d = p/2, p/4, ..., 1; the result is L_0 (halving_doubling.hpp's tree).
// Every chip that folds the same terms gets the same bits, whichever term is
// its own. The terms wait in the receiver's receive area and the fold runs
// once the step's sends have read their sources, so a tree_reduce may write
// elements that other transfers of its step read.
#include <cstdint>
#include <string>
#include <vector>

#include "collectives/op.hpp"
#include "topology/topology.hpp"

namespace lpu::collectives {

using topology::ChannelId;
using topology::ChipId;

enum class TransferKind : std::uint8_t { copy, reduce, tree_reduce };

// A contiguous range of buffer elements.
struct ElementRange {
    std::uint64_t offset = 0;
    std::uint64_t count = 0;
    std::uint64_t end() const { return offset + count; }
    bool operator==(const ElementRange&) const = default;
};

// Block `index` of `count` elements split into `blocks` nearly equal blocks
// (the first count % blocks blocks get one element more).
ElementRange block_range(std::uint64_t count, std::uint64_t blocks, std::uint64_t index);
// The same inside `range`.
ElementRange sub_block(const ElementRange& range, std::uint64_t blocks, std::uint64_t index);

// Where output slot `slot` of an alltoall of `count` elements over
// `participants` starts and how many elements it holds (its first
// block_range(count, participants, j).count are used by participant j).
ElementRange all_to_all_slot(std::uint64_t count, std::uint64_t participants, std::uint64_t slot);
// The buffer an op's layout needs per participant (count, or more for
// alltoall); a schedule's staging may add more (Schedule::buffer_elements).
std::uint64_t buffer_elements_for(CollectiveOp op, std::uint64_t count, std::uint64_t participants);

struct Transfer {
    ChipId src = 0;
    ChipId dst = 0;
    std::uint64_t src_offset = 0;  // elements, in src's buffer
    std::uint64_t dst_offset = 0;  // elements, in dst's buffer
    std::uint64_t count = 0;       // elements
    TransferKind kind = TransferKind::copy;
    // The channels from src to dst, in order; empty when src == dst (an on-chip copy).
    std::vector<ChannelId> route;
};

struct Step {
    std::vector<Transfer> transfers;
};

struct Schedule {
    CollectiveOp op = CollectiveOp::all_reduce;
    std::string algorithm;
    std::vector<ChipId> participants;  // participant i owns buffer i
    std::uint64_t count = 0;            // elements of the collective (see the layouts)
    std::uint64_t buffer_elements = 0;  // elements of each participant's buffer, staging included
    std::uint32_t element_bytes = 4;
    std::vector<Step> steps;

    std::size_t transfer_count() const;
    // The buffer index of a chip; throws lpu::InternalError when it does not take part.
    std::size_t participant_index(ChipId chip) const;
    // True when every transfer keeps its element offset (src_offset == dst_offset):
    // then element e's result depends on element e of the inputs only, so the
    // executor may run the schedule tile by tile.
    bool offset_preserving() const;
};

// Checks everything a schedule builder may get wrong, and throws
// lpu::InternalError (a builder's bug, not the user's input) naming the step,
// the transfer and the field: participants distinct chips of the topology,
// ranges inside the buffers, routes that are connected walks from src to dst
// over the topology's channels, and the step rule above (no transfer writes
// what another of its step reads, no two copies write one region).
void validate(const Schedule& schedule, const topology::Topology& topology);

}  // namespace lpu::collectives
