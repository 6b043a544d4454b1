#include "sim/fabric/receive_ring.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "sim/chip/link_model.hpp"

namespace lpu::sim {

std::int64_t message_slots(std::int64_t bytes, std::int64_t vector_bytes) { return vector_slots(bytes, vector_bytes); }

std::int64_t ring_depth_slots(std::int64_t buffer_bytes, std::int64_t vector_bytes) {
    return vector_slots(buffer_bytes, vector_bytes);
}

std::int64_t ring_slots_in_flight(std::span<const RingMessage> step, std::int64_t period_cycles) {
    if (step.empty()) return 0;
    require(period_cycles > 0, "a ring's messages repeat every step: the period must be positive, got " +
                                   std::to_string(period_cycles));
    const std::size_t n = step.size();
    // first[j]: message j's first slot, counted from the step's first message;
    // later steps add their index times the step's slots.
    std::vector<std::int64_t> first(n + 1, 0);
    for (std::size_t j = 0; j < n; ++j) {
        require(step[j].slots >= 1, "a message takes at least one slot, got " + std::to_string(step[j].slots));
        first[j + 1] = first[j] + step[j].slots;
    }
    const std::int64_t step_slots = first[n];
    // The earliest send from j on and the largest skew: once a whole suffix is
    // sent after a read (skew included), none of it can be in flight then.
    std::vector<std::int64_t> earliest_send_from(n + 1, std::numeric_limits<std::int64_t>::max());
    std::int64_t max_skew = 0;
    for (std::size_t j = n; j-- > 0;) {
        earliest_send_from[j] = std::min(earliest_send_from[j + 1], step[j].send_cycle);
        max_skew = std::max(max_skew, step[j].skew_cycles);
    }

    std::int64_t depth = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t horizon = step[i].read_cycle + max_skew;  // no send after it can be in flight
        for (std::int64_t ahead = 0;; ++ahead) {
            const std::int64_t shift = ahead * period_cycles;
            const std::size_t from = ahead == 0 ? i : 0;
            if (earliest_send_from[from] + shift > horizon) break;
            for (std::size_t j = from; j < n && earliest_send_from[j] + shift <= horizon; ++j) {
                if (step[j].send_cycle + shift > step[i].read_cycle + step[j].skew_cycles) continue;
                depth = std::max(depth, ahead * step_slots + first[j + 1] - first[i]);
            }
        }
    }
    return depth;
}

}  // namespace lpu::sim
