// compile_plan end to end on model shapes (no weights needed): plans validate,
// transfers never share a link at the same time, placement keeps TP groups
// close, and a model too big for the chips is refused with the minimum chip
// count, then compiles with that count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>

#include "base/error.hpp"
#include "collectives/fabric_timing.hpp"
#include "plan/retime.hpp"
#include "plan/validation.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/placement.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/model_shapes.hpp"
#include "topology/routing.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::compiler {
namespace {

plan::Plan compile(const model::ModelConfig& config, const std::string& topology_spec, const sim::ChipSpec& spec,
                   CompileOptions options) {
    const auto topology = topology::topology_from_spec(topology_spec);
    return compile_plan(config, shape_fingerprint(config), {&topology, topology_spec, &spec}, options);
}

CompileOptions grid(int tp, int pp, int positions = 256) {
    CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.positions = positions;
    return options;
}

// Rebuilds every transfer's occupation of its route from the fabric model and
// checks that no channel carries two transfers at once.
void check_links_never_shared(const plan::Plan& plan, const std::string& topology_spec, const sim::ChipSpec& spec) {
    // Cut-through, hop i carries the message from the send + the latencies of
    // the hops before it, for the route's serialisation time.
    const auto topology = topology::topology_from_spec(topology_spec);
    const collectives::FabricTiming fabric(topology, spec);
    const auto to_cycles = [&](std::int64_t ps, auto round) {
        return static_cast<std::int64_t>(round(static_cast<double>(ps) * spec.clock_hz / 1e12));
    };
    std::map<topology::ChannelId, std::vector<std::pair<std::int64_t, std::int64_t>>> busy;
    for (const auto& chip : plan.chips) {
        for (const auto& instruction : chip.instructions) {
            const auto* send = std::get_if<plan::Send>(&instruction.body);
            if (!send) continue;
            CHECK(send->flight_cycles >= to_cycles(fabric.transfer_ps(send->route, send->bytes), ::ceil));
            const std::int64_t wire_ps = fabric.route_wire_ps(send->route, send->bytes);
            std::int64_t head_ps = 0;
            for (auto channel : send->route) {
                // Strictly inside the reserved window: the window rounds outwards.
                busy[channel].emplace_back(instruction.cycle + to_cycles(head_ps, ::ceil),
                                           instruction.cycle + to_cycles(head_ps + wire_ps, ::floor));
                head_ps += fabric.latency_ps(channel);
            }
        }
    }
    for (auto& [channel, intervals] : busy) {
        std::sort(intervals.begin(), intervals.end());
        for (std::size_t i = 1; i < intervals.size(); ++i) {
            CAPTURE(channel, intervals[i - 1].second, intervals[i].first);
            CHECK(intervals[i].first >= intervals[i - 1].second);
        }
    }
}

}  // namespace

TEST_CASE("compiled plans validate, and no link carries two transfers at once", "[compiler]") {
    const auto config = test::stories260k_config();
    const auto spec = sim::chip_spec_preset("tsp-v1");
    const auto [tp, pp, topology_spec] = GENERATE(table<int, int, std::string>(
        {{2, 1, "fc:8"}, {8, 1, "fc:8"}, {4, 2, "ring:8"}, {2, 5, "torus:4x4"}, {8, 5, "dragonfly:1"}}));
    CAPTURE(tp, pp, topology_spec);
    const auto plan = compile(config, topology_spec, spec, grid(tp, pp));
    REQUIRE_NOTHROW(plan::validate(plan));
    CHECK(plan.chips.size() == static_cast<std::size_t>(tp * pp));

    check_links_never_shared(plan, topology_spec, spec);
}

TEST_CASE("data-parallel replicas: disjoint chips, the same program each, links never shared", "[compiler]") {
    const auto config = test::stories260k_config();
    const auto spec = sim::chip_spec_preset("tsp-v1");
    auto options = grid(2, 4);
    options.replicas = 3;
    const auto plan = compile(config, "dragonfly:1", spec, options);
    REQUIRE_NOTHROW(plan::validate(plan));
    CHECK(plan.grid.replicas == 3);
    REQUIRE(plan.chips.size() == 24);
    std::vector<topology::ChipId> chips;
    for (const auto& chip : plan.chips) chips.push_back(chip.chip);
    std::sort(chips.begin(), chips.end());
    CHECK(std::adjacent_find(chips.begin(), chips.end()) == chips.end());
    // The same work on each replica; only the deskew points may differ, where
    // a replica waited for links another one was using.
    const auto work = [](const plan::ChipProgram& chip) {
        return std::count_if(chip.instructions.begin(), chip.instructions.end(), [](const plan::Instruction& i) {
            return !std::holds_alternative<plan::RuntimeDeskew>(i.body);
        });
    };
    for (std::size_t c = 8; c < plan.chips.size(); ++c) {
        CAPTURE(c);
        CHECK(plan.chips[c].role == plan.chips[c % 8].role);
        CHECK(work(plan.chips[c]) == work(plan.chips[c % 8]));
    }
    check_links_never_shared(plan, "dragonfly:1", spec);

    // --chips with replicas: the grid is chosen on one replica's share.
    CompileOptions by_chips;
    by_chips.chips = 16;
    by_chips.replicas = 2;
    by_chips.positions = 256;
    const auto chosen = compile(config, "dragonfly:1", spec, by_chips);
    CHECK(chosen.grid.replicas == 2);
    CHECK(chosen.grid.tp * chosen.grid.pp == 8);
    CHECK(chosen.chips.size() == 16);
}

TEST_CASE("replicas auto takes the fewest replicas the model can be split over", "[compiler]") {
    const auto config = test::stories260k_config();  // 8 heads x 5 layers: at most 40 chips per replica
    CompileOptions options;
    options.chips = 80;
    options.replicas = 0;
    options.positions = 64;
    const auto plan = compile(config, "dragonfly:2", sim::chip_spec_preset("tsp-v1"), options);
    CHECK(plan.grid.replicas == 2);
    CHECK(plan.chips.size() == 80);

    options.chips = 24;  // one replica suffices
    CHECK(compile(config, "dragonfly:1", sim::chip_spec_preset("tsp-v1"), options).grid.replicas == 1);

    auto mismatch = grid(2, 4);
    mismatch.chips = 8;
    mismatch.replicas = 2;
    CHECK_THROWS_WITH(compile(config, "dragonfly:1", sim::chip_spec_preset("tsp-v1"), mismatch),
                      Catch::Contains("does not match --tp 2 x --pp 4 x --replicas 2"));
}

TEST_CASE("every chip gets a deskew point at least once per alignment epoch", "[compiler]") {
    const auto config = test::stories260k_config();
    const auto plan = compile(config, "fc:8", sim::chip_spec_preset("tsp-v1"), grid(4, 2));
    for (const auto& chip : plan.chips) {
        std::int64_t last = 0;
        for (const auto& instruction : chip.instructions) {
            if (std::holds_alternative<plan::RuntimeDeskew>(instruction.body)) {
                CHECK(instruction.cycle - last <= 4096 + 4096);  // an op may straddle the epoch's end
                last = instruction.cycle;
            }
        }
        CHECK(plan::instruction_end_cycle(chip.instructions.back()) - last <= 2 * 4096);
    }
}

TEST_CASE("placement: TP groups on neighbours, stages one after the other", "[compiler]") {
    const auto ring = topology::topology_from_spec("ring:8");
    const Placement on_ring = place_grid(ring, 2, 4);
    CHECK(on_ring.chips == std::vector<topology::ChipId>{0, 1, 2, 3, 4, 5, 6, 7});

    const auto rack = topology::topology_from_spec("dragonfly:1");
    const Placement in_rack = place_grid(rack, 8, 3);
    for (int stage = 0; stage < 3; ++stage) {
        const auto group = in_rack.tp_group(stage);
        const auto node = rack.chip(group.front()).node;
        CAPTURE(group);
        for (auto chip : group) CHECK(rack.chip(chip).node == node);  // one fully connected node per TP group
    }
    const auto torus = topology::topology_from_spec("torus:4x4");
    const Placement on_torus = place_grid(torus, 4, 4);
    for (std::size_t i = 1; i < on_torus.chips.size(); ++i) {
        CHECK(topology::hop_count(torus, on_torus.chips[i - 1], on_torus.chips[i]) == 1);  // a snake, no jumps
    }
    CHECK_THROWS_WITH(place_grid(ring, 4, 4), Catch::Contains("needs 16 chips"));
}

TEST_CASE("a model too big for the chips is refused with the minimum chip count, and compiles with it", "[compiler]") {
    auto shape = model::synthetic_preset("compiler-test");
    const auto config = model::synthetic_config(shape);
    auto spec = sim::chip_spec_preset("tsp-v1");
    spec.sram_bytes = 40'000'000;  // the F32 model is ~117 MB
    CompileOptions options;
    options.chips = 1;
    options.positions = 64;
    std::string message;
    try {
        compile(config, "dragonfly:1", spec, options);
    } catch (const Error& error) {
        message = error.what();
    }
    CAPTURE(message);
    REQUIRE_THAT(message, Catch::Contains("short by") && Catch::Contains("at least"));
    const int min_chips = std::stoi(message.substr(message.find("at least ") + 9));
    CHECK(min_chips > 1);
    options.chips = min_chips;
    const auto plan = compile(config, "dragonfly:1", spec, options);
    CHECK(plan.chips.size() == static_cast<std::size_t>(min_chips));
    for (const auto& chip : plan.chips) {
        for (const auto& buffer : chip.buffers) CHECK(buffer.sram_offset_bytes + buffer.size_bytes <= spec.sram_bytes);
    }
}

TEST_CASE("choosing by chip count compiles every fitting grid and keeps the fastest", "[compiler]") {
    const auto config = test::stories260k_config();
    const auto spec = sim::chip_spec_preset("tsp-v1");
    CompileOptions options;
    options.chips = 4;
    options.positions = 128;
    const auto chosen = compile(config, "fc:4", spec, options);
    const auto chosen_cycles = plan::Retimer(chosen).step_end_cycle(127);
    for (const auto& [tp, pp] : {std::pair{1, 4}, std::pair{2, 2}, std::pair{4, 1}}) {
        const auto other = compile(config, "fc:4", spec, grid(tp, pp, 128));
        CHECK(chosen_cycles <= plan::Retimer(other).step_end_cycle(127));
    }
}

}  // namespace lpu::compiler
