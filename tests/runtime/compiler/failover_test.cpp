// Re-placement around a failed chip or link (runtime/compiler/failover.hpp):
// the recompiled plan runs no program on the failed chip, sends nothing to or
// from it, and routes nothing over a failed link; a spare chip stands in
// first, then the closest idle one, and with none left the grid shrinks.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <utility>
#include <variant>

#include "base/error.hpp"
#include "plan/validation.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/failover.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/model_shapes.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::compiler {
namespace {

const sim::ChipSpec& spec() {
    static const sim::ChipSpec preset = sim::chip_spec_preset("tsp-v1");
    return preset;
}

CompileOptions grid(int tp, int pp) {
    CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.positions = 256;
    return options;
}

plan::Plan compile_on(const topology::Topology& topology, const std::string& name, const CompileOptions& options) {
    const auto config = test::stories260k_config();
    return compile_plan(config, shape_fingerprint(config), {&topology, name, &spec()}, options);
}

struct Recompiled {
    Failover failover;
    plan::Plan plan;
};

// The plan compiled after `failure` on the system it leaves.
Recompiled recompiled(const topology::Topology& whole, const plan::Plan& before, const CompileOptions& options,
                      const Failure& failure) {
    Failover failover = plan_failover(test::stories260k_config(), spec(), whole, plan_placement(before), options, failure);
    plan::Plan after = compile_on(failover.system.topology, failover.system.topology.info().name, failover.options);
    plan::validate(after);
    return {std::move(failover), std::move(after)};
}

// Every chip a plan on `system` touches, named as the whole system names it:
// the chips running programs, their peers, and both ends of every channel
// of every route; and every pair of chips a route crosses between.
struct Touched {
    std::set<topology::ChipId> chips;
    std::set<std::pair<topology::ChipId, topology::ChipId>> hops;
};

Touched touched(const plan::Plan& plan, const topology::DegradedTopology& system) {
    const auto whole = [&](topology::ChipId chip) { return system.original_chip.at(chip); };
    Touched seen;
    for (const plan::ChipProgram& program : plan.chips) {
        seen.chips.insert(whole(program.chip));
        for (const plan::Instruction& instruction : program.instructions) {
            const plan::Transfer* transfer = nullptr;
            if (const auto* send = std::get_if<plan::Send>(&instruction.body)) transfer = send;
            if (const auto* recv = std::get_if<plan::Recv>(&instruction.body)) transfer = recv;
            if (!transfer) continue;
            seen.chips.insert(whole(transfer->peer));
            for (topology::ChannelId channel : transfer->route) {
                const topology::ChipId from = whole(system.topology.channel_source(channel));
                const topology::ChipId to = whole(system.topology.channel_target(channel));
                seen.chips.insert(from);
                seen.chips.insert(to);
                seen.hops.insert({std::min(from, to), std::max(from, to)});
            }
        }
    }
    return seen;
}

}  // namespace

TEST_CASE("failover: a failed chip of the plan is replaced by the closest idle chip, and never used again",
          "[compiler][failover]") {
    const auto whole = topology::topology_from_spec("dragonfly:1");
    const auto options = grid(4, 2);
    const plan::Plan before = compile_on(whole, "dragonfly:1", options);
    const topology::ChipId failed = before.chips.at(3).chip;
    const auto [failover, after] = recompiled(whole, before, options, {Failure::Kind::chip, failed, 0});
    CHECK(failover.placed == Failover::Placed::stand_in);
    REQUIRE(failover.stand_in.has_value());
    CHECK_FALSE(failover.stand_in_is_spare);
    CHECK(after.grid.tp == 4);
    CHECK(after.grid.pp == 2);
    const Touched seen = touched(after, failover.system);
    CHECK(seen.chips.count(failed) == 0);
    CHECK(seen.chips.count(*failover.stand_in) == 1);
    // The other chips keep their parts.
    for (std::size_t c = 0; c < before.chips.size(); ++c) {
        if (c == 3) continue;
        CHECK(failover.system.original_chip.at(after.chips[c].chip) == before.chips[c].chip);
    }
}

TEST_CASE("failover: a rack's spare node stands in before any idle chip", "[compiler][failover]") {
    const auto whole = topology::topology_from_spec("dragonfly:1,spare");
    const auto options = grid(4, 2);
    const plan::Plan before = compile_on(whole, "dragonfly:1,spare", options);
    const topology::ChipId failed = before.chips.at(0).chip;
    const auto [failover, after] = recompiled(whole, before, options, {Failure::Kind::chip, failed, 0});
    REQUIRE(failover.stand_in.has_value());
    CHECK(failover.stand_in_is_spare);
    CHECK(whole.chip(*failover.stand_in).spare);
    CHECK(touched(after, failover.system).chips.count(failed) == 0);
}

TEST_CASE("failover: with no chip to spare the grid shrinks onto the chips left", "[compiler][failover]") {
    const auto whole = topology::topology_from_spec("fc:8");
    const auto options = grid(4, 2);
    const plan::Plan before = compile_on(whole, "fc:8", options);
    const auto [failover, after] = recompiled(whole, before, options, {Failure::Kind::chip, 5, 0});
    CHECK(failover.placed == Failover::Placed::regrid);
    CHECK(after.chips.size() <= 7);
    CHECK(touched(after, failover.system).chips.count(5) == 0);
}

TEST_CASE("failover: a failed link is routed around and the placement kept", "[compiler][failover]") {
    const auto whole = topology::topology_from_spec("ring:8");
    const auto options = grid(4, 2);
    const plan::Plan before = compile_on(whole, "ring:8", options);
    // A link the plan uses: the first hop of its first routed transfer.
    const topology::DegradedTopology intact{whole, {0, 1, 2, 3, 4, 5, 6, 7}};
    const Touched used = touched(before, intact);
    REQUIRE_FALSE(used.hops.empty());
    const auto [a, b] = *used.hops.begin();
    const auto [failover, after] = recompiled(whole, before, options, {Failure::Kind::link, a, b});
    CHECK(failover.placed == Failover::Placed::kept);
    CHECK(touched(after, failover.system).hops.count({a, b}) == 0);
    for (std::size_t c = 0; c < before.chips.size(); ++c) CHECK(after.chips[c].chip == before.chips[c].chip);
}

TEST_CASE("failover: a chip or link that does not exist, or a cut that splits the system, is refused",
          "[compiler][failover]") {
    const auto ring = topology::topology_from_spec("ring:8");
    const auto options = grid(4, 2);
    const Placement placement = plan_placement(compile_on(ring, "ring:8", options));
    const auto config = test::stories260k_config();
    CHECK_THROWS_AS(plan_failover(config, spec(), ring, placement, options, {Failure::Kind::chip, 99, 0}), Error);
    CHECK_THROWS_AS(plan_failover(config, spec(), ring, placement, options, {Failure::Kind::link, 0, 4}), Error);
    // A ring without one link is a line, which falls apart without another.
    const auto line = topology::without_link(topology::topology_from_spec("ring:4"), 0, 1);
    CHECK_THROWS_WITH(topology::without_link(line.topology, 2, 3), Catch::Contains("apart"));
    CHECK_THROWS_AS(topology::without_chip(line.topology, 2), Error);
}

}  // namespace lpu::compiler
