#include "runtime/compiler/plan_scheduler.hpp"

#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "topology/routing.hpp"

namespace lpu::compiler {

PlanScheduler::PlanScheduler(const collectives::FabricTiming& fabric, const sim::ChipSpec& spec,
                                 std::vector<topology::ChipId> chips, SchedulerParams params)
    : fabric_(fabric),
      clock_hz_(spec.clock_hz),
      chips_(std::move(chips)),
      params_(params),
      programs_(chips_.size()),
      buffer_index_(chips_.size()),
      clock_(chips_.size(), 0),
      last_deskew_(chips_.size(), 0) {
    for (std::size_t i = 0; i < chips_.size(); ++i) programs_[i].chip = chips_[i];
    if (!params_.links) params_.links = std::make_shared<LinkReservations>();
}

plan::BufferId PlanScheduler::add_buffer(std::size_t chip, std::string name, plan::BufferUse use,
                                           std::int64_t bytes) {
    auto& buffers = programs_[chip].buffers;
    const auto id = static_cast<plan::BufferId>(buffers.size());
    invariant(buffer_index_[chip].emplace(name, id).second, "buffer '" + name + "' allocated twice");
    buffers.push_back({std::move(name), use, 0, bytes, false});
    return id;
}

plan::BufferId PlanScheduler::buffer(std::size_t chip, const std::string& name) const {
    const auto found = buffer_index_[chip].find(name);
    invariant(found != buffer_index_[chip].end(), "chip " + std::to_string(chip) + " has no buffer '" + name + "'");
    return found->second;
}

void PlanScheduler::append(std::size_t chip, std::int64_t cycle, plan::InstructionBody body,
                             std::int64_t duration) {
    programs_[chip].instructions.push_back({cycle, std::move(body)});
    clock_[chip] = cycle + duration;
    if (params_.deskew_interval_cycles > 0 && clock_[chip] - last_deskew_[chip] >= params_.deskew_interval_cycles) {
        programs_[chip].instructions.push_back({clock_[chip], plan::RuntimeDeskew{params_.deskew_pad_cycles}});
        clock_[chip] += params_.deskew_pad_cycles;
        last_deskew_[chip] = clock_[chip];
    }
}

void PlanScheduler::compute(std::size_t chip, plan::Compute compute) {
    const std::int64_t duration = compute.cycles;
    append(chip, clock_[chip], std::move(compute), duration);
}

const std::vector<topology::ChannelId>& PlanScheduler::route(std::size_t src, std::size_t dst) {
    auto found = routes_.find({src, dst});
    if (found == routes_.end()) {
        // A BFS over the whole topology: computed once per chip pair, not per transfer.
        const auto routes = topology::minimal_routes(fabric_.topology(), chips_[src], chips_[dst], 1);
        require(!routes.empty(),
                "no route from chip " + std::to_string(chips_[src]) + " to " + std::to_string(chips_[dst]));
        found = routes_.emplace(std::pair{src, dst}, routes.front().channels).first;
    }
    return found->second;
}

SendTicket PlanScheduler::send(std::size_t src, std::size_t dst, plan::BufferId buffer, std::int64_t offset_bytes,
                                 std::int64_t bytes) {
    invariant(src != dst, "a transfer needs two different chips");
    SendTicket ticket{src, dst, next_tag_++, bytes, 0, 0, route(src, dst)};
    const double wire_ps = static_cast<double>(fabric_.transfer_ps(ticket.route, bytes));
    const auto wire_cycles = static_cast<std::int64_t>(std::ceil(wire_ps * clock_hz_ / 1e12));
    const auto& skew = params_.skew_bound_cycles;
    const double slack = skew.empty() ? 0.0 : skew.at(src) + skew.at(dst);
    ticket.flight_cycles = wire_cycles + static_cast<std::int64_t>(std::ceil(slack));
    const std::vector<ChannelWindow> windows = channel_windows(fabric_, clock_hz_, ticket.route, bytes);
    ticket.send_cycle = params_.links->earliest_free(windows, clock_[src]);
    params_.links->reserve(windows, ticket.send_cycle);
    min_flight_cycles_ = min_flight_cycles_ < 0 ? ticket.flight_cycles : std::min(min_flight_cycles_, ticket.flight_cycles);
    plan::Send body;
    body.peer = chips_[dst];
    body.tag = ticket.tag;
    body.bytes = bytes;
    body.route = ticket.route;
    body.buffer = buffer;
    body.offset_bytes = offset_bytes;
    body.flight_cycles = ticket.flight_cycles;
    append(src, ticket.send_cycle, std::move(body), 0);
    return ticket;
}

void PlanScheduler::recv(const SendTicket& ticket, plan::BufferId buffer, std::int64_t offset_bytes) {
    plan::Recv body;
    body.peer = chips_[ticket.src];
    body.tag = ticket.tag;
    body.bytes = ticket.bytes;
    body.route = ticket.route;
    body.buffer = buffer;
    body.offset_bytes = offset_bytes;
    body.flight_cycles = ticket.flight_cycles;
    const std::int64_t cycle = std::max(clock_[ticket.dst], ticket.send_cycle + ticket.flight_cycles);
    append(ticket.dst, cycle, std::move(body), 0);
}

}  // namespace lpu::compiler
