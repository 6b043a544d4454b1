#include "collectives/algorithms/direct.hpp"

namespace lpu::collectives {

std::optional<std::string> DirectAlgorithm::shape_reason(const topology::Topology&, const Request&) const {
    return std::nullopt;
}

namespace {

LogicalPlan root_exchange(const Request& request, bool to_root) {
    LogicalStep step;
    const auto& members = request.participants;
    for (std::size_t j = 1; j < members.size(); ++j) {
        const ChipId other = members[j];
        step.push_back(Transfer{to_root ? other : members[0], to_root ? members[0] : other, 0, 0, request.count,
                                to_root ? TransferKind::reduce : TransferKind::copy, {}});
    }
    return {step};
}

LogicalPlan all_to_all(const Request& request) {
    const auto& members = request.participants;
    const std::size_t n = members.size();
    LogicalStep step;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const ElementRange input = block_range(request.count, n, j);
            if (input.count == 0) continue;
            step.push_back(Transfer{members[i], members[j], input.offset, all_to_all_slot(request.count, n, i).offset,
                                    input.count, TransferKind::copy, {}});
        }
    }
    return {step};
}

}  // namespace

LogicalPlan DirectAlgorithm::plan(const topology::Topology&, const Request& request) const {
    const ElementRange all{0, request.count};
    switch (request.op) {
        case CollectiveOp::all_reduce: {
            LogicalPlan plan = direct_reduce_scatter(request.participants, all);
            append(plan, direct_all_gather(request.participants, all));
            return plan;
        }
        case CollectiveOp::reduce_scatter: return direct_reduce_scatter(request.participants, all);
        case CollectiveOp::all_gather: return direct_all_gather(request.participants, all);
        case CollectiveOp::broadcast:
        case CollectiveOp::point_to_point: return root_exchange(request, false);
        case CollectiveOp::reduce: return root_exchange(request, true);
        case CollectiveOp::all_to_all: return all_to_all(request);
    }
    return {};
}

}  // namespace lpu::collectives
