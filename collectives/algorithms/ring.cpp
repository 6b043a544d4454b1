#include "collectives/algorithms/ring.hpp"

namespace lpu::collectives {

std::optional<std::string> RingAlgorithm::shape_reason(const topology::Topology&, const Request& request) const {
    if (request.op == CollectiveOp::all_reduce || request.op == CollectiveOp::reduce_scatter ||
        request.op == CollectiveOp::all_gather) {
        return std::nullopt;
    }
    return "ring does not implement " + op_name(request.op);
}

LogicalPlan RingAlgorithm::plan(const topology::Topology&, const Request& request) const {
    const ElementRange all{0, request.count};
    if (request.op == CollectiveOp::reduce_scatter) return ring_reduce_scatter(request.participants, all);
    if (request.op == CollectiveOp::all_gather) return ring_all_gather(request.participants, all);
    LogicalPlan plan = ring_reduce_scatter(request.participants, all);
    append(plan, ring_all_gather(request.participants, all));
    return plan;
}

}  // namespace lpu::collectives
