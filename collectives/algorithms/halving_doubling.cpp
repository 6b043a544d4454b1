#include "collectives/algorithms/halving_doubling.hpp"

#include <bit>

namespace lpu::collectives {

std::optional<std::string> HalvingDoublingAlgorithm::shape_reason(const topology::Topology&,
                                                                  const Request& request) const {
    if (request.op == CollectiveOp::all_reduce) return std::nullopt;
    return "halving_doubling does not implement " + op_name(request.op);
}

LogicalPlan HalvingDoublingAlgorithm::plan(const topology::Topology&, const Request& request) const {
    const auto& members = request.participants;
    const std::size_t n = members.size();
    const std::size_t p = std::bit_floor(n);
    const ElementRange all{0, request.count};
    LogicalPlan plan;
    auto whole_buffer_step = [&](bool fold) {
        LogicalStep step;
        for (std::size_t i = 0; i + p < n; ++i) {
            const ChipId low = members[i], extra = members[p + i];
            step.push_back(Transfer{fold ? extra : low, fold ? low : extra, 0, 0, request.count,
                                    fold ? TransferKind::reduce : TransferKind::copy, {}});
        }
        if (!step.empty()) plan.push_back(step);
    };
    whole_buffer_step(true);
    // ranges[stage][i]: member i's range before halving stage `stage`.
    std::vector<std::vector<ElementRange>> ranges{std::vector<ElementRange>(p, all)};
    for (std::size_t distance = p / 2; distance >= 1; distance /= 2) {
        LogicalStep step;
        std::vector<ElementRange> kept(p);
        for (std::size_t i = 0; i < p; ++i) {
            const bool lower = (i & distance) == 0;
            kept[i] = sub_block(ranges.back()[i], 2, lower ? 0 : 1);
            const ElementRange given = sub_block(ranges.back()[i], 2, lower ? 1 : 0);
            if (given.count > 0) {
                step.push_back(Transfer{members[i], members[i ^ distance], given.offset, given.offset, given.count,
                                        TransferKind::reduce, {}});
            }
        }
        plan.push_back(step);
        ranges.push_back(kept);
    }
    // Doubling: undo the stages, each member sending the range it holds complete.
    for (std::size_t stage = ranges.size() - 1, distance = 1; stage >= 1; --stage, distance *= 2) {
        LogicalStep step;
        for (std::size_t i = 0; i < p; ++i) {
            const ElementRange held = ranges[stage][i];
            if (held.count > 0) {
                step.push_back(Transfer{members[i], members[i ^ distance], held.offset, held.offset, held.count,
                                        TransferKind::copy, {}});
            }
        }
        plan.push_back(step);
    }
    whole_buffer_step(false);
    return plan;
}

}  // namespace lpu::collectives
