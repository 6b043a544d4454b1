// How x crosses between pipeline stages: whole when the links are private or
// x is small, in blocks (then all-gathered) when the stages' groups share few
// links and x is large; a compiled plan follows the choice.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "collectives/fabric_timing.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/stage_hop.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/routing.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::compiler {
namespace {

// Rank r's message goes from chip from + r to chip to + r, over its first minimal route.
HopRoutes hop_routes(const topology::Topology& topology, topology::ChipId from, topology::ChipId to,
                     topology::ChipId ranks) {
    HopRoutes routes;
    for (topology::ChipId r = 0; r < ranks; ++r) {
        routes.push_back(topology::minimal_routes(topology, from + r, to + r, 1).front().channels);
    }
    return routes;
}

// The compiler-test synthetic shape (dim 512) on tp 8 x pp 2 of one rack: one
// node per stage.
plan::Plan compile_two_nodes(const std::string& all_reduce_algorithm = "auto") {
    const model::ModelConfig config = model::synthetic_config(model::synthetic_preset("compiler-test"));
    const std::string topology_spec = "dragonfly:1";
    const auto topology = topology::topology_from_spec(topology_spec);
    const sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    CompileOptions options;
    options.tp = 8;
    options.pp = 2;
    options.positions = 16;
    options.collective_algorithm = all_reduce_algorithm;
    return compile_plan(config, shape_fingerprint(config), {&topology, topology_spec, &spec}, options);
}

}  // namespace

TEST_CASE("stage hop: messages that share a channel stream through it one after another", "[compiler][stage_hop]") {
    const auto topology = topology::topology_from_spec("dragonfly:1");
    const collectives::FabricTiming fabric(topology, sim::chip_spec_preset("tsp-v1"));
    const HopRoutes node_to_node = hop_routes(topology, 0, 8, 8);
    const std::int64_t alone = stage_hop_ps(fabric, hop_routes(topology, 0, 8, 1), {32768});
    const auto route = topology::minimal_routes(topology, 0, 8, 1).front().channels;
    CHECK(alone == fabric.transfer_ps(route, 32768));
    // Eight 32 KiB messages between two nodes share the few links between them.
    const std::int64_t all = stage_hop_ps(fabric, node_to_node, std::vector<std::int64_t>(8, 32768));
    CHECK(all >= alone + fabric.serialisation_ps(route.front(), 32768));
}

TEST_CASE("stage hop: a large x between nodes goes in blocks, a small one whole", "[compiler][stage_hop]") {
    const auto topology = topology::topology_from_spec("dragonfly:1");
    const collectives::FabricTiming fabric(topology, sim::chip_spec_preset("tsp-v1"));
    const HopRoutes node_to_node = hop_routes(topology, 0, 8, 8);
    // An all-gather inside a node: one direct step, about a microsecond.
    const std::int64_t all_gather_ps = 1'000'000;
    CHECK(choose_stage_hop(fabric, node_to_node, 8192, all_gather_ps) == StageHop::scattered);
    CHECK(choose_stage_hop(fabric, node_to_node, 64, all_gather_ps) == StageHop::whole);
    // One rank per stage has nothing to gather.
    CHECK(choose_stage_hop(fabric, hop_routes(topology, 0, 8, 1), 8192, 0) == StageHop::whole);
}

TEST_CASE("stage hop: a compiled tp 8 x pp 2 plan sends blocks of x and all-gathers them", "[compiler][stage_hop]") {
    const plan::Plan plan = compile_two_nodes();
    // Stage 0's ranks send to stage 1: 512 floats in 8 blocks of 64.
    int hop_sends = 0;
    for (std::size_t rank = 0; rank < 8; ++rank) {
        for (const auto& instruction : plan.chips[rank].instructions) {
            const auto* send = std::get_if<plan::Send>(&instruction.body);
            if (!send || send->peer != plan.chips[8 + rank].chip) continue;
            ++hop_sends;
            CHECK(send->bytes == 64 * 4);
            CHECK(send->offset_bytes == static_cast<std::int64_t>(rank) * 64 * 4);
        }
    }
    CHECK(hop_sends == 8);
}

TEST_CASE("stage hop: an all-reduce algorithm without an all-gather still compiles scattered hops",
          "[compiler][stage_hop]") {
    for (const char* algorithm : {"hierarchical", "halving_doubling", "ring"}) {
        CAPTURE(algorithm);
        CHECK_NOTHROW(compile_two_nodes(algorithm));
    }
}

}  // namespace lpu::compiler
