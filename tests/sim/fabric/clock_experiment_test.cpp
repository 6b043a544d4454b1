#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sim/chip/link_model.hpp"
#include "sim/fabric/clock_experiment.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::sim {
namespace {

ClockExperimentConfig two_chips(bool compensate) {
    ClockExperimentConfig config;
    config.crystal_ppm = {100.0, -100.0};
    config.compensate = compensate;
    return config;
}

AlignmentParams sampling_every(double seconds) {
    AlignmentParams params = derive_alignment_params(ChipSpec{}, link_timing_from_spec(ChipSpec{}), DriftBudget{});
    params.correction_period_cycles = static_cast<std::int64_t>(seconds * 900e6);
    return params;
}

}  // namespace

TEST_CASE("Clock experiment: +-100 ppm without compensation breaks at S / (200e-6 f)", "[sim][clock_experiment]") {
    const auto topology = topology::topology_from_spec("fc:2");
    ClockExperimentConfig config = two_chips(false);
    config.drift.wander_ppm_per_sqrt_s = 0.0;
    config.slack_cycles = 1'000;
    config.duration_s = 0.1;
    config.alignment = sampling_every(0.01);
    const ClockExperimentReport report = run_clock_experiment(topology, config);
    const double analytic_s = 1'000.0 / (200e-6 * 900e6);  // 5.56 ms
    REQUIRE(report.first_violation_s.has_value());
    CHECK(*report.first_violation_s == Approx(analytic_s).epsilon(0.01));
    // After that every exchange on the channel whose reader runs ahead is late:
    // (0.1 s - 5.56 ms) * 900 MHz / 4096 cycles per exchange.
    CHECK(static_cast<double>(report.late_transfers) ==
          Approx((report.measured_s - analytic_s) * 900e6 / 4096.0).epsilon(0.02));
    // The other direction's ring fills up once the writer is overwrite_margin ahead.
    CHECK(report.overwritten_transfers > 0);
    CHECK(report.violations == report.late_transfers + report.overwritten_transfers);
    CHECK(report.max_skew_cycles == Approx(200e-6 * 900e6 * report.measured_s).margin(2));
    CHECK(report.settle_s == 0.0);
    CHECK(report.skew_bound_cycles == 0.0);
}

TEST_CASE("Clock experiment: +-100 ppm with compensation holds lockstep for an hour", "[sim][clock_experiment]") {
    const auto topology = topology::topology_from_spec("fc:2");
    ClockExperimentConfig config = two_chips(true);
    config.duration_s = 3'600.0;
    const ClockExperimentReport report = run_clock_experiment(topology, config);
    CHECK(report.violations == 0);
    CHECK_FALSE(report.first_violation_s.has_value());
    CHECK(report.measured_s >= 3'600.0);
    CHECK(report.max_skew_cycles <= report.skew_bound_cycles);
    CHECK(report.max_skew_cycles > 0);
    CHECK(report.p99_skew_cycles <= report.max_skew_cycles);
    CHECK(report.skew_samples == 2 * static_cast<std::uint64_t>(report.rounds));
    CHECK(report.deskew_stall_fraction > 0.0);
    CHECK(report.deskew_stall_fraction < 0.002);
    CHECK(report.samples.size() == static_cast<std::size_t>(report.rounds));
    // The same slack that broke within 6 ms without compensation.
    config.slack_cycles = 20;
    CHECK(run_clock_experiment(topology, config).violations == 0);
}

TEST_CASE("Clock experiment: same inputs, same report", "[sim][clock_experiment]") {
    const auto topology = topology::topology_from_spec("torus:3x3");
    ClockExperimentConfig config;
    config.duration_s = 20.0;
    config.seed = 11;
    const ClockExperimentReport a = run_clock_experiment(topology, config);
    const ClockExperimentReport b = run_clock_experiment(topology, config);
    CHECK(a.max_skew_cycles == b.max_skew_cycles);
    CHECK(a.p99_skew_cycles == b.p99_skew_cycles);
    CHECK(a.deskew_stall_fraction == b.deskew_stall_fraction);
    REQUIRE(a.samples.size() == b.samples.size());
    for (std::size_t i = 0; i < a.samples.size(); ++i) {
        CHECK(a.samples[i].max_skew_cycles == b.samples[i].max_skew_cycles);
        CHECK(a.samples[i].spread_cycles == b.samples[i].spread_cycles);
    }
    config.seed = 12;
    const ClockExperimentReport c = run_clock_experiment(topology, config);
    CHECK(c.deskew_stall_fraction != a.deskew_stall_fraction);
}

TEST_CASE("Clock experiment: impossible traffic and bad inputs are errors", "[sim][clock_experiment]") {
    const auto topology = topology::topology_from_spec("fc:2");
    ClockExperimentConfig config = two_chips(true);
    config.buffer_vectors = 1;
    config.exchange_period_cycles = 100;
    CHECK_THROWS_WITH(run_clock_experiment(topology, config), Catch::Contains("overwrites its own buffers"));
    config = two_chips(true);
    config.crystal_ppm = {1.0};
    CHECK_THROWS_WITH(run_clock_experiment(topology, config), Catch::Contains("crystal_ppm lists 1 offsets for 2"));
    config = two_chips(true);
    config.duration_s = -1.0;
    CHECK_THROWS_WITH(run_clock_experiment(topology, config), Catch::Contains("duration"));
}

TEST_CASE("Clock experiment: a 72-chip rack, +-100 ppm with wander, one hour", "[sim][clock_experiment][slow]") {
    const auto topology = topology::topology_from_spec("dragonfly:1");
    ClockExperimentConfig config;
    config.duration_s = 3'600.0;
    const ClockExperimentReport report = run_clock_experiment(topology, config);
    CHECK(report.chips == 72);
    CHECK(report.violations == 0);
    CHECK(report.max_skew_cycles <= report.skew_bound_cycles);
    CHECK(report.max_pair_skew_cycles <= 2 * report.skew_bound_cycles);
    CHECK(report.deskew_stall_fraction > 0.0);
    CHECK(report.deskew_stall_fraction < 0.002);
}

TEST_CASE("Clock experiment: the 10,440-chip system, +-100 ppm with wander", "[sim][clock_experiment][slow]") {
    // 10 s here; `lpu fabric --topology dragonfly:145 --duration 3600` runs the hour.
    const auto topology = topology::topology_from_spec("dragonfly:145");
    ClockExperimentConfig config;
    config.duration_s = 10.0;
    const ClockExperimentReport report = run_clock_experiment(topology, config);
    CHECK(report.chips == 10'440);
    CHECK(report.violations == 0);
    CHECK(report.max_skew_cycles <= report.skew_bound_cycles);
    CHECK(report.deskew_stall_fraction < 0.002);
}

}  // namespace lpu::sim
