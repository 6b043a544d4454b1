#include "collectives/algorithms/torus.hpp"

#include <map>

#include "collectives/algorithms/grid_all_to_all.hpp"

namespace lpu::collectives {

std::optional<std::string> TorusAlgorithm::shape_reason(const topology::Topology& topology,
                                                        const Request& request) const {
    if (request.op != CollectiveOp::all_reduce && request.op != CollectiveOp::all_to_all) {
        return "torus does not implement " + op_name(request.op);
    }
    if (topology.info().grid_dims.empty()) return "the topology is not a torus or mesh";
    for (std::size_t i = 0; i < request.participants.size(); ++i) {
        if (request.participants.size() != topology.chip_count() || request.participants[i] != i) {
            return "torus needs every chip of the grid as participants, in chip id order";
        }
    }
    return std::nullopt;
}

namespace {

// The lines of dimension `dim`: chips that differ only in that coordinate,
// each ordered by it. Chip ids are row-major, last dimension fastest.
std::vector<std::vector<ChipId>> lines_of(const std::vector<std::uint32_t>& dims, std::size_t dim) {
    std::size_t stride = 1;
    for (std::size_t d = dim + 1; d < dims.size(); ++d) stride *= dims[d];
    std::size_t chips = 1;
    for (auto extent : dims) chips *= extent;
    std::vector<std::vector<ChipId>> lines;
    for (ChipId chip = 0; chip < chips; ++chip) {
        if ((chip / stride) % dims[dim] != 0) continue;  // not the first chip of its line
        auto& line = lines.emplace_back();
        for (std::uint32_t k = 0; k < dims[dim]; ++k) line.push_back(static_cast<ChipId>(chip + k * stride));
    }
    return lines;
}

}  // namespace

LogicalPlan TorusAlgorithm::plan(const topology::Topology& topology, const Request& request) const {
    const auto& dims = topology.info().grid_dims;
    if (request.op == CollectiveOp::all_to_all) {
        // Chip ids are row-major, last dimension fastest: the grid's own order.
        ParticipantGrid grid{{dims.begin(), dims.end()}, {}};
        for (std::size_t i = 0; i < request.participants.size(); ++i) grid.at.push_back(i);
        return grid_all_to_all(request.participants, grid, request.count);
    }
    std::vector<ElementRange> owned(topology.chip_count(), ElementRange{0, request.count});
    // held[d][chip]: the range a chip's line shares when dimension d starts.
    std::vector<std::vector<ElementRange>> held;
    LogicalPlan plan;
    for (std::size_t dim = 0; dim < dims.size(); ++dim) {
        held.push_back(owned);
        if (dims[dim] < 2) continue;
        std::vector<LogicalPlan> rings;
        for (const auto& line : lines_of(dims, dim)) {
            const ElementRange range = owned[line.front()];
            rings.push_back(ring_reduce_scatter(line, range));
            for (std::size_t k = 0; k < line.size(); ++k) owned[line[k]] = sub_block(range, line.size(), k);
        }
        append(plan, run_in_parallel(rings));
    }
    for (std::size_t dim = dims.size(); dim-- > 0;) {
        if (dims[dim] < 2) continue;
        std::vector<LogicalPlan> rings;
        for (const auto& line : lines_of(dims, dim)) rings.push_back(ring_all_gather(line, held[dim][line.front()]));
        append(plan, run_in_parallel(rings));
    }
    return plan;
}

}  // namespace lpu::collectives
