#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/clock/clock_fabric.hpp"
#include "sim/clock/spanning_tree.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::sim {
namespace {

std::vector<OscillatorParams> crystals(const std::vector<double>& ppm, double wander = 0.0) {
    std::vector<OscillatorParams> out;
    for (std::size_t i = 0; i < ppm.size(); ++i) {
        OscillatorParams params;
        params.offset_ppm = ppm[i];
        params.wander_ppm_per_sqrt_s = wander;
        params.seed = 1000 + i;
        out.push_back(params);
    }
    return out;
}

AlignmentParams fast_params() {
    AlignmentParams params = derive_alignment_params(ChipSpec{}, link_timing_from_spec(ChipSpec{}), DriftBudget{});
    params.correction_period_cycles = 9'000'000;  // 10 ms: quick tests
    return params;
}

}  // namespace

TEST_CASE("Spanning tree: BFS from the root, lowest port first", "[sim][alignment]") {
    const auto ring = topology::topology_from_spec("ring:8");
    const SpanningTree tree = bfs_spanning_tree(ring, 0);
    CHECK(tree.max_depth == 4);
    CHECK(tree.order.front() == 0);
    CHECK(tree.order.size() == 8);
    CHECK(tree.depth[4] == 4);
    for (topology::ChipId chip = 1; chip < 8; ++chip) {
        CHECK(ring.channel_source(tree.down_channel[chip]) == tree.parent[chip]);
        CHECK(ring.channel_target(tree.down_channel[chip]) == chip);
        CHECK(ring.channel_source(tree.up_channel[chip]) == chip);
    }
    const SpanningTree other = bfs_spanning_tree(ring, 3);
    CHECK(other.root == 3);
    CHECK(other.depth[7] == 4);
    CHECK_THROWS_WITH(bfs_spanning_tree(ring, 8), Catch::Contains("root"));
}

TEST_CASE("Derived alignment defaults follow the drift budget", "[sim][alignment]") {
    const ChipSpec spec;
    const LinkTiming link = link_timing_from_spec(spec);
    const AlignmentParams params = derive_alignment_params(spec, link, DriftBudget{100.0, 0.01});
    // 4096 * 200e-6 = 0.82 cycles of SAC drift per epoch; 8192 would be 1.6.
    CHECK(params.epoch_cycles == 4096);
    CHECK(params.correction_period_cycles == 234'000'000);  // 0.26 s
    const double hop = hop_error_bound_cycles(params, spec, link, DriftBudget{100.0, 0.01});
    CHECK(hop > 50.0);
    CHECK(hop < 100.0);
    // Tighter crystals allow longer epochs; no wander allows the longest period.
    const AlignmentParams calm = derive_alignment_params(spec, link, DriftBudget{20.0, 0.0});
    CHECK(calm.epoch_cycles == 16'384);
    CHECK(calm.correction_period_cycles == 9'000'000'000);
    CHECK_THROWS_WITH(derive_alignment_params(spec, link, DriftBudget{-1.0, 0.0}), Catch::Contains("ppm"));
    AlignmentParams bad = params;
    bad.echo_count = 0;
    CHECK_THROWS_WITH(validate(bad), Catch::Contains("echo_count"));
}

TEST_CASE("Echo calibration measures the one-way link time to within a cycle", "[sim][alignment]") {
    const auto topology = topology::topology_from_spec("ring:4");
    const LinkModel links(link_timing_from_spec(ChipSpec{}), 3);
    ClockFabric fabric(topology, crystals({100, -100, 50, 0}), links, fast_params());
    fabric.calibrate_latencies();
    // 650 cycles of latency + one 320-byte vector (26.24 ns = 23.6 cycles).
    const double expected = 650.0 + 26'240.0 * 0.9 / 1000.0;
    for (topology::ChipId chip = 1; chip < 4; ++chip) {
        const double measured =
            static_cast<double>(fabric.latency_estimate_q32(chip)) / static_cast<double>(q32_one);
        CHECK(measured == Approx(expected).margin(1.5));
    }
}

TEST_CASE("Corrections keep every HAC within a few cycles of the root's", "[sim][alignment]") {
    const auto topology = topology::topology_from_spec("torus:3x3");
    const LinkModel links(link_timing_from_spec(ChipSpec{}), 3);
    const AlignmentParams params = fast_params();
    ClockFabric fabric(topology, crystals({100, -100, 80, -60, 40, -20, 10, -90, 70}, 0.01), links, params);
    fabric.calibrate_latencies();
    EventEngine engine;
    std::int64_t worst_late_round = 0;
    std::int64_t first_round_error = 0;
    fabric.schedule_rounds(engine, 40, true, [&](const CorrectionRecord& record) {
        const std::int64_t root = fabric.count_at(0, record.time_ps);
        if (record.round == 1) first_round_error = std::max(first_round_error, std::abs(record.value_before - root));
        if (record.round >= 6) {
            worst_late_round = std::max({worst_late_round, std::abs(record.value_before - root),
                                         std::abs(record.value_after - root)});
        }
    });
    engine.run();
    // Before the rates are learned chips drift by up to 200 ppm * 10 ms = 1800 cycles.
    CHECK(first_round_error > 500);
    CHECK(worst_late_round <= 20);
    // ClockFabric maps aligned counts (after the last correction) to true time consistently.
    const std::int64_t count = params.start_cycles + 39 * params.correction_period_cycles + 1'000'000;
    for (topology::ChipId chip = 0; chip < 9; ++chip) {
        CHECK(fabric.count_at(chip, fabric.true_ps_at(chip, count)) >= count);
        CHECK(std::abs(fabric.true_ps_at(chip, count) - fabric.true_ps_at(0, count)) < 30'000);
    }
}

TEST_CASE("Corrections need calibration first", "[sim][alignment]") {
    const auto topology = topology::topology_from_spec("ring:3");
    const LinkModel links(link_timing_from_spec(ChipSpec{}), 3);
    ClockFabric fabric(topology, crystals({0, 0, 0}), links, fast_params());
    EventEngine engine;
    CHECK_THROWS_WITH(fabric.schedule_rounds(engine, 3, true, {}), Catch::Contains("calibrate"));
    CHECK_THROWS_WITH(ClockFabric(topology, crystals({0, 0}), links, fast_params()),
                      Catch::Contains("one oscillator per chip"));
}

}  // namespace lpu::sim
