#pragma once
// Low-latency all-reduce over whole nodes of one Dragonfly rack, every step
// one hop, using all of a node's global ports at once (the ISCA'22 shape of a
// global all-reduce): with N nodes, node v's block B_v = block_range(count, N, v).
//   1. each node one-shot all-reduces (every chip holds its node sum S_u);
//   2. over every link between two nodes u, v (m links, each carrying one of
//      m pieces of the receiver's block) u sends S_u's piece of B_v and v
//      sends S_v's piece of B_u; the pieces are assigned so that every chip
//      receives each piece of its node's block once (an m-edge-colouring of
//      the links into a node, which a regular wiring always has: König);
//      the node's first member adds what it receives to S_v, the others
//      replace their copy (so each element of B_v is held once per node);
//   3. each node direct-reduce-scatters its own block B_v, 4. all-gathers it;
//   5. over every link, each node sends its piece of the total back;
//   6. each chip forwards the pieces it received to the rest of its node
//      (one step per piece a chip holds: 2 on a full rack).
// 7 one-hop steps on a full rack of 72 chips. Needs the participants to be
// whole nodes of one rack (the same count in each, each node fully connected),
// every pair of nodes linked, and every chip to receive pieces covering its
// node's block exactly once in step 2 (the rack's wiring does this).
// Fold order of an element of B_v in sub-block c of node v's members: chip c's
// W, then the other members' W in member order (direct reduce-scatter), where a
// member's W is the node sum S_u of the node u whose piece it received (the
// first member: S_v + S_u), and S_u is the tree fold of node u's inputs in
// participant order (one_shot).
#include "collectives/algorithm.hpp"

namespace lpu::collectives {

class NodePortsAlgorithm final : public Algorithm {
public:
    std::string name() const override { return "node_ports"; }
    std::string summary() const override {
        return "Dragonfly rack: node one-shot, node sums over every global port at once, 1 hop per step";
    }

protected:
    std::optional<std::string> shape_reason(const topology::Topology& topology, const Request& request) const override;
    LogicalPlan plan(const topology::Topology& topology, const Request& request) const override;
};

// How the participants' nodes are wired, for node_ports and its fold-order tests.
struct NodeWiring {
    std::vector<std::vector<ChipId>> nodes;  // members of each node, participant order; nodes by node id
    struct Link {
        std::size_t node_a = 0, node_b = 0;  // node_a < node_b
        ChipId chip_a = 0, chip_b = 0;
        std::size_t piece_to_b = 0, piece_to_a = 0;  // which piece of the receiver's block each way
        std::size_t of = 1;                          // links between the two nodes: pieces per block
    };
    std::vector<Link> links;
    static ElementRange piece(const ElementRange& block, const Link& link, bool to_b) {
        return sub_block(block, link.of, to_b ? link.piece_to_b : link.piece_to_a);
    }
    ElementRange block(std::uint64_t count, std::size_t node) const { return block_range(count, nodes.size(), node); }
};

// The wiring, or why node_ports cannot serve these participants.
std::optional<std::string> node_wiring(const topology::Topology& topology, const Request& request, NodeWiring& wiring);

}  // namespace lpu::collectives
