#pragma once
// Receive rings sized to what is in flight. Lowering gives every buffer the
// bytes its data needs; a buffer that receives messages is also a ring of
// vector slots that its messages fill in Recv order (sim/fabric/receive_ring.hpp),
// and messages take whole vectors, so a ring of data bytes may be too short
// for the messages that are in flight at once: three 768-byte messages take 9
// slots, while their 2304 bytes make a ring of 8, and the third would land on
// the first before it is read.
//
// So, once the plan is scheduled, each such buffer grows to the ring its
// messages need, as sim::ring_slots_in_flight works it out from the schedule:
// for every message, the later ones (this step's and the next's) whose Send may
// have happened before its Recv, counting the skew slack between the two
// chips' counters. It is computed at the first and the last position of the
// context (attention's cost moves the schedule with the position) and the
// larger depth is kept. Only SRAM grows, by a few vectors; no cycle moves.
//
// The other way to keep rings safe, delaying sends until the slot they land on
// has been read, would slow the step; the bytes are cheap.
#include <cstdint>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::compiler {

// `skew_bound_cycles[chip]`: how far topology chip `chip`'s counter may be
// from the alignment tree's root (the scheduler's slack between two chips is
// the sum of theirs). Needs a plan whose transfers match (before SRAM offsets
// are assigned: sizes change).
void size_receive_rings(plan::Plan& plan, const std::vector<double>& skew_bound_cycles, std::int64_t vector_bytes);

}  // namespace lpu::compiler
