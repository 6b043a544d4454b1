#include "runtime/compiler/receive_rings.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "plan/retime.hpp"
#include "plan/transfer_matching.hpp"
#include "sim/fabric/receive_ring.hpp"

namespace lpu::compiler {
namespace {

// One ring: a buffer of one chip and the transfers into it, in Recv order.
struct Ring {
    std::size_t chip = 0;
    plan::BufferId buffer = 0;
    std::vector<plan::MatchedTransfer> transfers;
    std::vector<sim::RingMessage> messages;  // filled per position
    std::int64_t depth_slots = 0;
};

std::vector<Ring> rings_of(const plan::Plan& plan, const std::vector<double>& skew_bound_cycles,
                           std::int64_t vector_bytes) {
    std::map<std::pair<std::size_t, plan::BufferId>, Ring> rings;
    for (const plan::MatchedTransfer& pair : plan::match_transfers(plan)) {
        const auto& recv = std::get<plan::Recv>(plan.chips[pair.recv.chip].instructions[pair.recv.instruction].body);
        Ring& ring = rings[{pair.recv.chip, recv.buffer}];
        ring.chip = pair.recv.chip;
        ring.buffer = recv.buffer;
        ring.transfers.push_back(pair);
        sim::RingMessage message;
        message.slots = sim::message_slots(recv.bytes, vector_bytes);
        // The scheduler's slack between the two counters (plan_scheduler.cpp).
        message.skew_cycles = static_cast<std::int64_t>(std::ceil(
            skew_bound_cycles.at(plan.chips[pair.send.chip].chip) + skew_bound_cycles.at(plan.chips[pair.recv.chip].chip)));
        ring.messages.push_back(message);
    }
    std::vector<Ring> out;
    out.reserve(rings.size());
    for (auto& entry : rings) {
        const Ring& ring = entry.second;
        // Recv order on the receiving chip: the ring's fill order.
        std::vector<std::size_t> order(ring.transfers.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return ring.transfers[a].recv.instruction < ring.transfers[b].recv.instruction;
        });
        Ring sorted{ring.chip, ring.buffer, {}, {}, 0};
        for (std::size_t i : order) {
            sorted.transfers.push_back(ring.transfers[i]);
            sorted.messages.push_back(ring.messages[i]);
        }
        out.push_back(std::move(sorted));
    }
    return out;
}

}  // namespace

void size_receive_rings(plan::Plan& plan, const std::vector<double>& skew_bound_cycles, std::int64_t vector_bytes) {
    std::vector<Ring> rings = rings_of(plan, skew_bound_cycles, vector_bytes);
    if (rings.empty()) return;
    const plan::Retimer retimer(plan);
    std::vector<std::int64_t> positions{0};
    if (plan.context_positions > 1) positions.push_back(plan.context_positions - 1);
    for (const std::int64_t position : positions) {
        const plan::StepTiming timing = retimer.timing(position);
        const std::int64_t period = timing.end_cycle();
        for (Ring& ring : rings) {
            for (std::size_t i = 0; i < ring.transfers.size(); ++i) {
                const plan::MatchedTransfer& pair = ring.transfers[i];
                ring.messages[i].send_cycle = timing.cycles[pair.send.chip][pair.send.instruction];
                ring.messages[i].read_cycle = timing.cycles[pair.recv.chip][pair.recv.instruction];
            }
            ring.depth_slots = std::max(ring.depth_slots, sim::ring_slots_in_flight(ring.messages, period));
        }
    }
    for (const Ring& ring : rings) {
        plan::Buffer& buffer = plan.chips[ring.chip].buffers[ring.buffer];
        buffer.size_bytes = std::max(buffer.size_bytes, ring.depth_slots * vector_bytes);
    }
}

}  // namespace lpu::compiler
