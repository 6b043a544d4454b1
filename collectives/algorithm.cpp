#include "collectives/algorithm.hpp"

#include <algorithm>
#include <set>

#include "base/error.hpp"

namespace lpu::collectives {
namespace {

void check_request(const topology::Topology& topology, const Request& request) {
    require(request.count > 0, "a collective needs at least one element, got count 0");
    require(request.element_bytes > 0 && request.element_bytes <= 16,
            "element_bytes must be 1..16, got " + std::to_string(request.element_bytes));
    require(request.participants.size() >= 2,
            "a collective needs at least 2 participants, got " + std::to_string(request.participants.size()));
    if (request.op == CollectiveOp::point_to_point) {
        require(request.participants.size() == 2,
                "p2p takes exactly 2 participants (source, destination), got " +
                    std::to_string(request.participants.size()));
    }
    std::set<ChipId> seen;
    for (ChipId chip : request.participants) {
        require(chip < topology.chip_count(), "participant chip " + std::to_string(chip) + " is not in the topology (" +
                                                  std::to_string(topology.chip_count()) + " chips)");
        require(seen.insert(chip).second, "participant chip " + std::to_string(chip) + " is listed twice");
    }
}

}  // namespace

std::optional<std::string> Algorithm::unsupported_reason(const topology::Topology& topology,
                                                         const Request& request) const {
    check_request(topology, request);
    return shape_reason(topology, request);
}

Schedule Algorithm::build(const topology::Topology& topology, const Request& request) const {
    if (auto reason = unsupported_reason(topology, request)) throw Error(name() + ": " + *reason);
    Schedule schedule;
    schedule.op = request.op;
    schedule.algorithm = name();
    schedule.participants = request.participants;
    schedule.count = request.count;
    schedule.element_bytes = request.element_bytes;
    schedule.steps = route_plan(topology, plan(topology, request));
    // The op's layout, and whatever staging the algorithm uses beyond it.
    schedule.buffer_elements = buffer_elements_for(request.op, request.count, request.participants.size());
    for (const auto& step : schedule.steps) {
        for (const auto& transfer : step.transfers) {
            schedule.buffer_elements = std::max({schedule.buffer_elements, transfer.src_offset + transfer.count,
                                                 transfer.dst_offset + transfer.count});
        }
    }
    return schedule;
}

}  // namespace lpu::collectives
