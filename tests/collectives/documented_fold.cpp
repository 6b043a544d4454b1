#include "tests/collectives/documented_fold.hpp"

#include <bit>
#include <map>

#include "base/error.hpp"
#include "collectives/algorithms/node_ports.hpp"
#include "collectives/schedule.hpp"

namespace lpu::collectives::testing {
namespace {

using Values = std::vector<std::vector<float>>;

// The index of the block of `range` (split into `blocks`) that holds element e.
std::uint64_t block_holding(const ElementRange& range, std::uint64_t blocks, std::uint64_t e) {
    const std::uint64_t offset = e - range.offset;
    const std::uint64_t base = range.count / blocks;
    const std::uint64_t extra = range.count % blocks;  // the first `extra` blocks hold base + 1
    if (offset < extra * (base + 1)) return offset / (base + 1);
    return extra + (offset - extra * (base + 1)) / base;
}

// ring_reduce_scatter: block k folds members k+1, k+2, ..., k.
std::vector<float> ring(const Values& in) {
    const std::size_t n = in.size();
    std::vector<float> out(in[0].size());
    for (std::size_t k = 0; k < n; ++k) {
        const ElementRange block = block_range(out.size(), n, k);
        for (auto e = block.offset; e < block.end(); ++e) {
            float sum = in[(k + 1) % n][e];
            for (std::size_t s = 2; s <= n; ++s) sum += in[(k + s) % n][e];
            out[e] = sum;
        }
    }
    return out;
}

// direct_reduce_scatter over `members` (participant indices): block k folds
// member k's value, then the others' in member order.
float direct_fold(const Values& values, const std::vector<std::size_t>& members, std::size_t k, std::uint64_t e) {
    float sum = values[members[k]][e];
    for (std::size_t j = 0; j < members.size(); ++j) {
        if (j != k) sum += values[members[j]][e];
    }
    return sum;
}

std::vector<topology::ChipId> first_participants(std::size_t n) {
    std::vector<topology::ChipId> chips(n);
    for (std::size_t i = 0; i < n; ++i) chips[i] = static_cast<topology::ChipId>(i);
    return chips;
}

std::vector<std::size_t> all_members(std::size_t n) {
    std::vector<std::size_t> members(n);
    for (std::size_t i = 0; i < n; ++i) members[i] = i;
    return members;
}

void direct_into(const Values& values, const std::vector<std::size_t>& members, const ElementRange& range,
                 std::vector<float>& out) {
    for (std::size_t k = 0; k < members.size(); ++k) {
        const ElementRange block = sub_block(range, members.size(), k);
        for (auto e = block.offset; e < block.end(); ++e) out[e] = direct_fold(values, members, k, e);
    }
}

std::vector<float> direct(const Values& in) {
    std::vector<float> out(in[0].size());
    direct_into(in, all_members(in.size()), ElementRange{0, out.size()}, out);
    return out;
}

// halving_doubling.hpp: leaves x_j (+ x_{p+j} for the extra members), then
// the upper half folded onto the lower half at distance p/2, p/4, ..., 1.
std::vector<float> halving_doubling(const Values& in) {
    const std::size_t n = in.size();
    const std::size_t p = std::bit_floor(n);
    std::vector<float> out(in[0].size());
    std::vector<float> level(p);
    for (std::uint64_t e = 0; e < out.size(); ++e) {
        for (std::size_t j = 0; j < p; ++j) level[j] = p + j < n ? in[j][e] + in[p + j][e] : in[j][e];
        for (std::size_t distance = p / 2; distance >= 1; distance /= 2) {
            for (std::size_t j = 0; j < distance; ++j) level[j] = level[j] + level[j + distance];
        }
        out[e] = level[0];
    }
    return out;
}

// torus.hpp: ring folds along dimension 0, whose partial sums are ring-folded
// along dimension 1, and so on; along each dimension the ring starts after
// the position that keeps the element's block at that dimension.
struct TorusElement {
    const Values& in;
    const std::vector<std::uint32_t>& dims;
    std::vector<std::uint64_t> stride;  // chip ids are row-major, last dimension fastest
    std::vector<std::uint64_t> keeper;  // per dimension, the position that keeps the element
    std::uint64_t e = 0;

    // Element e folded over dimensions 0..levels-1, among the chips whose
    // coordinates from dimension `levels` on are those of chip `base`.
    float fold(std::size_t levels, std::uint64_t base) const {
        if (levels == 0) return in[base][e];
        const std::size_t dim = levels - 1;
        const std::uint64_t n = dims[dim];
        if (n < 2) return fold(dim, base);
        float sum = fold(dim, base + (keeper[dim] + 1) % n * stride[dim]);
        for (std::uint64_t s = 2; s <= n; ++s) sum += fold(dim, base + (keeper[dim] + s) % n * stride[dim]);
        return sum;
    }
};

std::vector<float> torus(const Values& in, const std::vector<std::uint32_t>& dims) {
    TorusElement element{in, dims, std::vector<std::uint64_t>(dims.size(), 1), std::vector<std::uint64_t>(dims.size())};
    for (std::size_t d = dims.size() - 1; d-- > 0;) element.stride[d] = element.stride[d + 1] * dims[d + 1];
    std::vector<float> out(in[0].size());
    for (element.e = 0; element.e < out.size(); ++element.e) {
        ElementRange range{0, out.size()};
        for (std::size_t d = 0; d < dims.size(); ++d) {
            if (dims[d] < 2) continue;
            element.keeper[d] = block_holding(range, dims[d], element.e);
            range = sub_block(range, dims[d], element.keeper[d]);
        }
        out[element.e] = element.fold(dims.size(), 0);
    }
    return out;
}

// node_ports.hpp: node sums S_u folded as one_shot's tree (halving_doubling's)
// over each node's members; then, for an element of node v's block, in
// sub-block c of v's members: W_c, then the other members' W in member order,
// where W of a member is the node sum whose piece it received over a global
// link (the first member: S_v + that sum).
std::vector<float> node_ports(const topology::Topology& topology, const Values& in) {
    const std::uint64_t count = in[0].size();
    NodeWiring wiring;
    const Request request{CollectiveOp::all_reduce, first_participants(in.size()), count, sizeof(float)};
    if (auto reason = node_wiring(topology, request, wiring)) throw Error(*reason);
    std::vector<std::vector<float>> node_sum;
    for (const auto& members : wiring.nodes) {
        Values terms;
        for (auto chip : members) terms.push_back(in[chip]);
        node_sum.push_back(halving_doubling(terms));
    }
    // w[chip][e] for e in the chip's node's block.
    Values w(in.size(), std::vector<float>(count));
    const auto receive = [&](topology::ChipId chip, std::size_t node, std::size_t from, const ElementRange& piece) {
        const bool first = wiring.nodes[node].front() == chip;
        for (auto e = piece.offset; e < piece.end(); ++e) w[chip][e] = first ? node_sum[node][e] + node_sum[from][e] : node_sum[from][e];
    };
    for (const auto& link : wiring.links) {
        receive(link.chip_b, link.node_b, link.node_a, NodeWiring::piece(wiring.block(count, link.node_b), link, true));
        receive(link.chip_a, link.node_a, link.node_b, NodeWiring::piece(wiring.block(count, link.node_a), link, false));
    }
    std::vector<float> out(count);
    for (std::size_t v = 0; v < wiring.nodes.size(); ++v) {
        std::vector<std::size_t> members(wiring.nodes[v].begin(), wiring.nodes[v].end());
        direct_into(w, members, wiring.block(count, v), out);
    }
    return out;
}

enum class Level { node, rack, system };

// hierarchical.hpp: at each level the groups direct-reduce-scatter; the j-th
// members of the groups then fold block j one level up; a level with one
// group folds like direct. `values` holds the partial sums so far.
void hierarchical(const topology::Topology& topology, Level level, const std::vector<std::size_t>& members,
                  const ElementRange& range, Values& values, std::vector<float>& out) {
    std::map<std::uint32_t, std::vector<std::size_t>> groups;
    for (std::size_t member : members) {
        const auto& chip = topology.chip(static_cast<topology::ChipId>(member));
        const std::uint32_t key =
            level == Level::node ? chip.node.value_or(0) : level == Level::rack ? chip.rack.value_or(0) : 0;
        groups[key].push_back(member);
    }
    if (groups.size() == 1) return direct_into(values, members, range, out);
    const Level up = level == Level::node ? Level::rack : Level::system;
    const std::size_t k = groups.begin()->second.size();
    if (k == 1) return hierarchical(topology, up, members, range, values, out);
    for (std::size_t j = 0; j < k; ++j) {
        const ElementRange block = sub_block(range, k, j);
        std::vector<std::size_t> column;
        for (const auto& [key, group] : groups) {
            for (auto e = block.offset; e < block.end(); ++e) values[group[j]][e] = direct_fold(values, group, j, e);
            column.push_back(group[j]);
        }
        hierarchical(topology, up, column, block, values, out);
    }
}

}  // namespace

std::vector<float> documented_all_reduce(const std::string& algorithm, const topology::Topology& topology,
                                         const std::vector<std::vector<float>>& inputs) {
    if (algorithm == "ring") return ring(inputs);
    if (algorithm == "direct") return direct(inputs);
    if (algorithm == "halving_doubling" || algorithm == "one_shot") return halving_doubling(inputs);
    if (algorithm == "node_ports") return node_ports(topology, inputs);
    if (algorithm == "torus") return torus(inputs, topology.info().grid_dims);
    if (algorithm == "hierarchical") {
        Values partial = inputs;
        std::vector<float> out(inputs[0].size());
        hierarchical(topology, Level::node, all_members(inputs.size()), ElementRange{0, out.size()}, partial, out);
        return out;
    }
    throw Error("no documented fold order for algorithm '" + algorithm + "'");
}

}  // namespace lpu::collectives::testing
