#include "collectives/algorithms/node_ports.hpp"

#include <algorithm>
#include <map>

#include "collectives/algorithms/one_shot.hpp"

namespace lpu::collectives {

namespace {

// One incoming link of a node: from node `from` to chip `chip` (the index of
// the chip among the node's members), and where its piece index goes.
struct Incoming {
    std::size_t from = 0;
    std::size_t chip = 0;
    std::size_t* piece = nullptr;
};

// Kuhn's augmenting path from source node `from` over the unused links.
bool augment(std::size_t from, const std::vector<Incoming>& links, const std::vector<bool>& used,
             std::vector<std::ptrdiff_t>& link_at_chip, std::vector<bool>& visited) {
    for (std::size_t l = 0; l < links.size(); ++l) {
        if (used[l] || links[l].from != from || visited[links[l].chip]) continue;
        visited[links[l].chip] = true;
        const auto holder = link_at_chip[links[l].chip];
        if (holder < 0 || augment(links[static_cast<std::size_t>(holder)].from, links, used, link_at_chip, visited)) {
            link_at_chip[links[l].chip] = static_cast<std::ptrdiff_t>(l);
            return true;
        }
    }
    return false;
}

// Gives every link into a node of `chips` members from `sources` other nodes
// a piece index 0..m-1 such that each source sends, and each chip receives,
// every piece once: m perfect matchings, one per piece.
bool colour_pieces(std::vector<Incoming>& links, std::size_t sources, std::size_t chips, std::size_t m) {
    if (sources != chips) return false;
    std::vector<bool> used(links.size(), false);
    for (std::size_t colour = 0; colour < m; ++colour) {
        std::vector<std::ptrdiff_t> link_at_chip(chips, -1);
        for (std::size_t from = 0; from < sources; ++from) {
            std::vector<bool> visited(chips, false);
            if (!augment(from, links, used, link_at_chip, visited)) return false;
        }
        for (auto l : link_at_chip) {
            used[static_cast<std::size_t>(l)] = true;
            *links[static_cast<std::size_t>(l)].piece = colour;
        }
    }
    return std::all_of(used.begin(), used.end(), [](bool u) { return u; });  // no chip gets more than m
}

}  // namespace

std::optional<std::string> node_wiring(const topology::Topology& topology, const Request& request, NodeWiring& wiring) {
    if (request.op != CollectiveOp::all_reduce) return "node_ports does not implement " + op_name(request.op);
    if (!topology.has_nodes()) return "the topology has no nodes (only the Dragonfly has a hierarchy)";
    std::map<std::uint32_t, std::vector<ChipId>> by_node;
    std::map<ChipId, std::size_t> node_of;
    for (ChipId chip : request.participants) {
        if (topology.chip(chip).rack != topology.chip(request.participants.front()).rack) {
            return "the participants span racks (node_ports works inside one rack)";
        }
        by_node[topology.chip(chip).node.value_or(0)].push_back(chip);
    }
    if (by_node.size() < 2) return "the participants are in one node (one_shot serves that)";
    wiring = NodeWiring{};
    for (auto& [node, members] : by_node) {
        if (members.size() != by_node.begin()->second.size()) return "the nodes take part with different chip counts";
        if (auto reason = fully_connected_reason(topology, members)) return reason;
        for (ChipId chip : members) node_of[chip] = wiring.nodes.size();
        wiring.nodes.push_back(members);
    }
    std::map<std::pair<std::size_t, std::size_t>, std::vector<std::pair<ChipId, ChipId>>> between;
    for (const auto& members : wiring.nodes) {
        for (ChipId chip : members) {
            for (const auto& adjacency : topology.neighbours(chip)) {
                const auto peer = node_of.find(adjacency.peer);
                if (peer == node_of.end() || peer->second <= node_of[chip]) continue;
                between[{node_of[chip], peer->second}].emplace_back(chip, adjacency.peer);
            }
        }
    }
    std::size_t m = 0;
    for (std::size_t a = 0; a < wiring.nodes.size(); ++a) {
        for (std::size_t b = a + 1; b < wiring.nodes.size(); ++b) {
            const auto& pairs = between[{a, b}];
            if (pairs.empty()) return "two of the nodes have no link between them";
            if (m != 0 && pairs.size() != m) return "the node pairs have different numbers of links";
            m = pairs.size();
            for (const auto& [chip_a, chip_b] : pairs) wiring.links.push_back({a, b, chip_a, chip_b, 0, 0, m});
        }
    }
    const auto member_index = [&](std::size_t node, ChipId chip) {
        const auto& members = wiring.nodes[node];
        return static_cast<std::size_t>(std::find(members.begin(), members.end(), chip) - members.begin());
    };
    for (std::size_t v = 0; v < wiring.nodes.size(); ++v) {
        std::vector<Incoming> into;  // the other nodes numbered 0..N-2, skipping v
        for (auto& link : wiring.links) {
            if (link.node_b == v) into.push_back({link.node_a, member_index(v, link.chip_b), &link.piece_to_b});
            if (link.node_a == v) into.push_back({link.node_b - 1, member_index(v, link.chip_a), &link.piece_to_a});
        }
        if (!colour_pieces(into, wiring.nodes.size() - 1, wiring.nodes[v].size(), m)) {
            return "node " + std::to_string(v) + " of the participants cannot receive every piece of its block once "
                   "on every chip (node_ports needs the wiring of a full rack: as many other nodes as chips per node, "
                   "the same links per node pair and per chip)";
        }
    }
    return std::nullopt;
}

std::optional<std::string> NodePortsAlgorithm::shape_reason(const topology::Topology& topology,
                                                            const Request& request) const {
    NodeWiring wiring;
    return node_wiring(topology, request, wiring);
}

namespace {

void add(LogicalStep& step, ChipId src, ChipId dst, const ElementRange& range, TransferKind kind) {
    if (range.count > 0) step.push_back(Transfer{src, dst, range.offset, range.offset, range.count, kind, {}});
}

}  // namespace

LogicalPlan NodePortsAlgorithm::plan(const topology::Topology& topology, const Request& request) const {
    NodeWiring wiring;
    node_wiring(topology, request, wiring);
    const ElementRange all{0, request.count};
    std::vector<LogicalPlan> node_sums, scatters, gathers;
    for (const auto& members : wiring.nodes) node_sums.push_back(one_shot_all_reduce(members, all));
    for (std::size_t v = 0; v < wiring.nodes.size(); ++v) {
        scatters.push_back(direct_reduce_scatter(wiring.nodes[v], wiring.block(request.count, v)));
        gathers.push_back(direct_all_gather(wiring.nodes[v], wiring.block(request.count, v)));
    }
    // The first member of a node keeps its node sum and adds what it receives.
    const auto kind_into = [&](std::size_t node, ChipId chip) {
        return chip == wiring.nodes[node].front() ? TransferKind::reduce : TransferKind::copy;
    };
    LogicalStep exchange_sums, return_totals;
    std::map<ChipId, std::vector<ElementRange>> totals_received;
    for (const auto& link : wiring.links) {
        const ElementRange to_b = NodeWiring::piece(wiring.block(request.count, link.node_b), link, true);
        const ElementRange to_a = NodeWiring::piece(wiring.block(request.count, link.node_a), link, false);
        add(exchange_sums, link.chip_a, link.chip_b, to_b, kind_into(link.node_b, link.chip_b));
        add(exchange_sums, link.chip_b, link.chip_a, to_a, kind_into(link.node_a, link.chip_a));
        add(return_totals, link.chip_a, link.chip_b, to_a, TransferKind::copy);
        add(return_totals, link.chip_b, link.chip_a, to_b, TransferKind::copy);
        if (to_a.count > 0) totals_received[link.chip_b].push_back(to_a);
        if (to_b.count > 0) totals_received[link.chip_a].push_back(to_b);
    }
    // Forwarding in rounds, round r carrying every chip's r-th piece: within a
    // round each chip sends one piece to each peer, over its own links.
    LogicalPlan forward;
    for (const auto& members : wiring.nodes) {
        for (ChipId chip : members) {
            const auto& pieces = totals_received[chip];
            if (forward.size() < pieces.size()) forward.resize(pieces.size());
            for (std::size_t round = 0; round < pieces.size(); ++round) {
                for (ChipId other : members) {
                    if (other != chip) add(forward[round], chip, other, pieces[round], TransferKind::copy);
                }
            }
        }
    }
    LogicalPlan plan = run_in_parallel(node_sums);
    plan.push_back(exchange_sums);
    append(plan, run_in_parallel(scatters));
    append(plan, run_in_parallel(gathers));
    plan.push_back(return_totals);
    append(plan, forward);
    return plan;
}

}  // namespace lpu::collectives
