#pragma once
// Receive buffers as the fabric sees them: the one model the compiler sizes
// them by (runtime/compiler/receive_rings.hpp) and the lockstep checker checks
// them against (sim/fabric/lockstep.hpp, sim/fabric/plan_fabric_setup.hpp).
//
// - A buffer that receives messages is a ring of vector slots: its SRAM
//   region in whole vectors, ceil(size_bytes / vector_bytes) of them (the
//   compiler aligns every buffer to whole vectors, so the region holds them).
// - A message takes ceil(bytes / vector_bytes) consecutive slots, whole vectors
//   as it crosses the wire, wrapping at the end of the ring.
// - The messages a chip receives into one buffer take its slots in the order of
//   the chip's Recv instructions, step after step: the slot of every message
//   is fixed when the plan is compiled, whatever the clocks do.
// - A Recv reads its message out of the ring at its cycle; from then on its
//   slots may be written again.
// - Lockstep: no vector lands on a slot before the message that held the slot
//   before it (one lap of the ring earlier) has been read.
//
// The compiler makes every ring deep enough for the messages that may be in
// flight or unread at once: when message i is read, every later message j
// whose Send may already have happened takes slots beyond i's, so the ring
// must span from i's first slot to j's last. "May have happened" counts the
// worst-case skew between the two counters and none of the flight time (a
// margin of a link latency, about 200 cycles, that absorbs how the schedule
// shifts with the sequence position).
#include <cstdint>
#include <span>

namespace lpu::sim {

// Slots a message of `bytes` takes (sim::vector_slots), and the depth of the
// ring a buffer of `buffer_bytes` holds. Throw lpu::Error for negative sizes.
std::int64_t message_slots(std::int64_t bytes, std::int64_t vector_bytes);
std::int64_t ring_depth_slots(std::int64_t buffer_bytes, std::int64_t vector_bytes);

// A message into one ring, as the compiler schedules it.
struct RingMessage {
    std::int64_t send_cycle = 0;   // its Send, on the sender's counter
    std::int64_t read_cycle = 0;   // its Recv, on the receiver's counter
    std::int64_t slots = 1;        // message_slots of its bytes
    std::int64_t skew_cycles = 0;  // how far the sender's counter may run ahead of the receiver's
};

// The ring depth, in slots, that holds every message that may be in flight or
// unread at once. `step` lists one decode step's messages into the ring in
// ring order; steps repeat every `period_cycles` (> 0 when there are
// messages), so the next step's messages count too. 0 without messages.
std::int64_t ring_slots_in_flight(std::span<const RingMessage> step, std::int64_t period_cycles);

}  // namespace lpu::sim
