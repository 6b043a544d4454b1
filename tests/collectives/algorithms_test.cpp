// Every algorithm emits valid, conflict-free schedules for every op it
// implements, on its topologies, for the participant counts of the issue and
// awkward sizes; step counts match each algorithm's shape.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "collectives/algorithms/registry.hpp"
#include "collectives/conflict_check.hpp"
#include "collectives/selection.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/collectives/test_participants.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::collectives {
using testing::first_chips;
using testing::topology_for;

TEST_CASE("every emitted schedule is valid and conflict-free", "[collectives][algorithms]") {
    const sim::ChipSpec spec;
    std::size_t checked = 0;
    for (const auto& algorithm : all_algorithms()) {
        for (std::size_t n : testing::participant_counts) {
            const auto topology = topology::topology_from_spec(topology_for(algorithm->name(), n));
            const FabricTiming fabric(topology, spec);
            for (auto op : all_ops()) {
                for (std::uint64_t count : {1u, 13u, 1001u}) {
                    Request request{op, first_chips(op == CollectiveOp::point_to_point ? 2 : n), count, 4};
                    if (algorithm->unsupported_reason(topology, request)) continue;
                    INFO(algorithm->name() << " " << op_name(op) << " n " << n << " count " << count);
                    const auto schedule = algorithm->build(topology, request);
                    CHECK_NOTHROW(validate(schedule, topology));
                    CHECK_NOTHROW(time_and_check(schedule, fabric));
                    ++checked;
                }
            }
        }
    }
    CHECK(checked > 150);
}

TEST_CASE("step counts follow each algorithm's shape", "[collectives][algorithms]") {
    const auto node = topology::topology_from_spec("fc:8");
    const auto dragonfly = topology::topology_from_spec("dragonfly:1");
    const auto torus = topology::topology_from_spec("torus:3x4");
    const Request eight{CollectiveOp::all_reduce, first_chips(8), 4096, 4};
    CHECK(find_algorithm("ring").build(node, eight).steps.size() == 14);
    CHECK(find_algorithm("direct").build(node, eight).steps.size() == 2);
    CHECK(find_algorithm("halving_doubling").build(node, eight).steps.size() == 6);
    const Request seven{CollectiveOp::all_reduce, first_chips(7), 4096, 4};
    CHECK(find_algorithm("halving_doubling").build(node, seven).steps.size() == 4 + 2);  // fold + 2 log2 4 + unfold
    const Request grid{CollectiveOp::all_reduce, first_chips(12), 4096, 4};
    CHECK(find_algorithm("torus").build(torus, grid).steps.size() == 2 * ((3 - 1) + (4 - 1)));
    const Request two_nodes{CollectiveOp::all_reduce, first_chips(16), 4096, 4};
    // node reduce-scatter, then the 8 pairs across the two nodes (direct: 2
    // steps), then the node all-gather; pairs share no channel.
    CHECK(find_algorithm("hierarchical").build(dragonfly, two_nodes).steps.size() >= 4);
}

TEST_CASE("latency-bound all-reduces of one vector: one hop on a node, 7 on a rack", "[collectives][algorithms]") {
    const sim::ChipSpec spec;  // the corrected figures: a 722 ns hop, 12.2 GB/s links
    const std::int64_t hop_ps = FabricTiming(topology::topology_from_spec("fc:2"), spec).latency_ps(0);
    const auto node = topology::topology_from_spec("fc:8");
    const Request vector8{CollectiveOp::all_reduce, first_chips(8), 80, 4};  // 320 bytes
    CHECK(find_algorithm("one_shot").build(node, vector8).steps.size() == 1);
    const auto on_node = select_schedule(FabricTiming(node, spec), vector8);
    CHECK(on_node.schedule.algorithm == "one_shot");
    CHECK(on_node.emulated_ps <= 2 * hop_ps);
    const auto rack = topology::topology_from_spec("dragonfly:1");
    const Request vector72{CollectiveOp::all_reduce, first_chips(72), 80, 4};
    CHECK(find_algorithm("node_ports").build(rack, vector72).steps.size() == 7);
    const auto on_rack = select_schedule(FabricTiming(rack, spec), vector72);
    CHECK(on_rack.schedule.algorithm == "node_ports");
    CHECK(on_rack.emulated_ps <= 6'500'000);
    // Large messages still go to the bandwidth-bound algorithms.
    const Request large{CollectiveOp::all_reduce, first_chips(8), 1 << 20, 4};
    CHECK(select_schedule(FabricTiming(node, spec), large).schedule.algorithm != "one_shot");
    // one_shot needs its own link between every two participants.
    CHECK_THAT(*find_algorithm("one_shot").unsupported_reason(rack, vector72), Catch::Contains("fully connected"));
}

TEST_CASE("algorithms refuse what they cannot do, with the reason", "[collectives][algorithms]") {
    const auto ring = topology::topology_from_spec("ring:8");
    const auto dragonfly = topology::topology_from_spec("dragonfly:1");
    const Request all_to_all{CollectiveOp::all_to_all, first_chips(8), 64, 4};
    CHECK(*find_algorithm("ring").unsupported_reason(ring, all_to_all) == "ring does not implement alltoall");
    const Request partial{CollectiveOp::all_reduce, first_chips(5), 64, 4};
    CHECK(find_algorithm("torus").unsupported_reason(ring, partial).has_value());
    CHECK(find_algorithm("hierarchical").unsupported_reason(ring, partial).has_value());
    Request uneven{CollectiveOp::all_reduce, first_chips(11), 64, 4};  // 8 chips of node 0, 3 of node 1
    CHECK_THROWS_WITH(find_algorithm("hierarchical").build(dragonfly, uneven), Catch::Contains("sizes 8, 3"));
    const Request repeated{CollectiveOp::all_reduce, {1, 2, 1}, 64, 4};
    CHECK_THROWS_WITH(find_algorithm("direct").build(ring, repeated), Catch::Contains("chip 1 is listed twice"));
    const Request empty{CollectiveOp::all_reduce, first_chips(4), 0, 4};
    CHECK_THROWS_WITH(find_algorithm("direct").build(ring, empty), Catch::Contains("count 0"));
    CHECK_THROWS_WITH(find_algorithm("nccl"), Catch::Contains("unknown collective algorithm 'nccl'"));
    const FabricTiming fabric(ring, sim::ChipSpec{});
    const auto selection = select_schedule(fabric, all_to_all);
    CHECK(selection.schedule.algorithm == "direct");
    CHECK(explain(selection).find("ring does not implement alltoall") != std::string::npos);
}

}  // namespace lpu::collectives
