// The ring depth the compiler gives a receive buffer: every message that may be
// in flight or unread when one is read must fit beside it (sim/fabric/receive_ring.hpp).
#include <catch2/catch.hpp>

#include <vector>

#include "base/error.hpp"
#include "sim/fabric/receive_ring.hpp"

namespace lpu::sim {
namespace {

RingMessage message(std::int64_t send, std::int64_t read, std::int64_t slots, std::int64_t skew = 10) {
    return {send, read, slots, skew};
}

constexpr std::int64_t long_step = 100'000;

}  // namespace

TEST_CASE("receive ring: slots of messages and buffers are whole vectors", "[sim][receive_ring]") {
    CHECK(message_slots(768, 320) == 3);
    CHECK(message_slots(320, 320) == 1);
    CHECK(ring_depth_slots(2304, 320) == 8);  // 7.2 vectors: the buffer's region is padded to whole vectors
    CHECK_THROWS_AS(message_slots(-1, 320), Error);
}

TEST_CASE("receive ring: messages sent together all count, in whole vectors", "[sim][receive_ring]") {
    // Three 768-byte reductions of one all-reduce, sent at once and read one
    // after another: 9 slots, though their 2304 bytes are 7.2 vectors.
    const std::vector<RingMessage> step = {message(0, 300, 3), message(2, 310, 3), message(4, 320, 3)};
    CHECK(ring_slots_in_flight(step, long_step) == 9);
}

TEST_CASE("receive ring: a message sent after the read of an earlier one may take its slots",
          "[sim][receive_ring]") {
    const std::vector<RingMessage> step = {message(0, 300, 3), message(400, 700, 3), message(800, 1'100, 2)};
    CHECK(ring_slots_in_flight(step, long_step) == 3);
}

TEST_CASE("receive ring: the skew between the counters counts as in flight", "[sim][receive_ring]") {
    // The second Send is 5 cycles after the first Recv on the counters, which
    // may be 10 apart: it may land first.
    CHECK(ring_slots_in_flight(std::vector{message(0, 300, 2), message(305, 600, 1)}, long_step) == 3);
    CHECK(ring_slots_in_flight(std::vector{message(0, 300, 2), message(311, 600, 1)}, long_step) == 2);
}

TEST_CASE("receive ring: the next step's messages count when they are sent before a read", "[sim][receive_ring]") {
    // One message per step, read 300 cycles after it is sent, steps every 250.
    const std::vector<RingMessage> step = {message(0, 300, 3)};
    CHECK(ring_slots_in_flight(step, 250) == 6);
    CHECK(ring_slots_in_flight(step, 100) == 12);  // steps at 100, 200 and 300 (+ skew) overlap too
    CHECK(ring_slots_in_flight(step, 1'000) == 3);
}

TEST_CASE("receive ring: later messages in ring order sent earlier count too", "[sim][receive_ring]") {
    // Ring order is Recv order: the third message is read last but sent first.
    const std::vector<RingMessage> step = {message(100, 400, 1), message(500, 800, 1), message(0, 900, 4)};
    CHECK(ring_slots_in_flight(step, long_step) == 6);
}

TEST_CASE("receive ring: no messages need no ring; a period must be positive", "[sim][receive_ring]") {
    CHECK(ring_slots_in_flight({}, 0) == 0);
    CHECK_THROWS_WITH(ring_slots_in_flight(std::vector{message(0, 300, 1)}, 0), Catch::Contains("period"));
    CHECK_THROWS_AS(ring_slots_in_flight(std::vector{message(0, 300, 0)}, 100), Error);
}

}  // namespace lpu::sim
