#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sim/clock/oscillator.hpp"
#include "sim/time.hpp"

namespace lpu::sim {
namespace {

OscillatorParams params_with(double ppm, double wander = 0.0, double jitter_ps = 0.0) {
    OscillatorParams params;
    params.nominal_hz = 900'000'000;
    params.offset_ppm = ppm;
    params.wander_ppm_per_sqrt_s = wander;
    params.wander_step_cycles = 9'000'000;  // 10 ms
    params.jitter_ps = jitter_ps;
    params.seed = 99;
    return params;
}

}  // namespace

TEST_CASE("Oscillator: a nominal clock has 1111.1 ps cycles with no drift over an hour", "[sim][oscillator]") {
    Oscillator clock(params_with(0.0));
    CHECK(clock.edge_ps(0) == 0);
    CHECK(std::abs(clock.edge_ps(9'000'000) - 10'000'000'000) <= 1);
    // 3.24e12 cycles = exactly one hour: integer fixed point does not drift.
    const std::int64_t hour_cycles = 3'240'000'000'000;
    CHECK(std::abs(clock.edge_ps(hour_cycles) - 3'600 * ps_per_second) <= 1);
    CHECK(std::abs(clock.cycle_at(3'600 * ps_per_second) - hour_cycles) <= 1);
}

TEST_CASE("Oscillator: a static ppm offset changes the rate by exactly that much", "[sim][oscillator]") {
    Oscillator fast(params_with(100.0)), slow(params_with(-100.0));
    const std::int64_t one_second_ps = ps_per_second;
    CHECK(fast.cycle_at(one_second_ps) == Approx(900'090'000).margin(1));
    CHECK(slow.cycle_at(one_second_ps) == Approx(899'910'000).margin(1));
    CHECK(fast.ppm_at(123) == 100.0);
}

TEST_CASE("Oscillator: cycles and true time round-trip and stay monotone", "[sim][oscillator]") {
    for (const double jitter_ps : {0.0, 5.0}) {
        Oscillator clock(params_with(37.5, 0.05, jitter_ps));
        std::int64_t previous = -1;
        for (std::int64_t cycle = 0; cycle < 3'000'000'000; cycle += 7'777'777) {
            for (std::int64_t step = 0; step < 3; ++step) {
                const std::int64_t c = cycle + step;
                const std::int64_t edge = clock.edge_ps(c);
                CHECK(edge > previous);
                previous = edge;
                CHECK(clock.cycle_at(edge) == c);
                if (c > 0) CHECK(clock.cycle_at(edge - 1) == c - 1);
            }
            previous = -1;
        }
    }
}

TEST_CASE("Oscillator: wander is a seeded random walk around the static offset", "[sim][oscillator]") {
    Oscillator a(params_with(10.0, 0.1)), b(params_with(10.0, 0.1));
    auto other_seed = params_with(10.0, 0.1);
    other_seed.seed = 100;
    Oscillator c(other_seed);
    const std::int64_t later = 900'000'000LL * 100;  // 100 s
    CHECK(a.edge_ps(later) == b.edge_ps(later));
    CHECK(a.edge_ps(later) != c.edge_ps(later));
    CHECK(a.ppm_at(0) == 10.0);
    // After 100 s the walk has moved by about 0.1 * sqrt(100) = 1 ppm (rms).
    CHECK(a.ppm_at(later) != 10.0);
    CHECK(std::abs(a.ppm_at(later) - 10.0) < 6.0);
}

TEST_CASE("Oscillator: edge jitter is bounded and does not accumulate", "[sim][oscillator]") {
    Oscillator ideal(params_with(0.0)), jittery(params_with(0.0, 0.0, 10.0));
    std::int64_t largest = 0;
    for (std::int64_t cycle = 1; cycle < 100'000; ++cycle) {
        const std::int64_t difference = jittery.edge_ps(cycle) - ideal.edge_ps(cycle);
        largest = std::max(largest, std::abs(difference));
    }
    CHECK(largest > 20);
    CHECK(largest <= 60);
    CHECK(std::abs(jittery.edge_ps(900'000'000'000) - ideal.edge_ps(900'000'000'000)) <= 60);
}

TEST_CASE("Oscillator: forgotten history and bad parameters are errors", "[sim][oscillator]") {
    Oscillator clock(params_with(0.0, 0.01));
    clock.edge_ps(100'000'000);
    clock.forget_before(90'000'000);
    CHECK(clock.edge_ps(95'000'000) > 0);
    CHECK_THROWS_AS(clock.edge_ps(10), Error);
    CHECK_THROWS_AS(clock.edge_ps(-1), Error);
    CHECK_THROWS_AS(clock.cycle_at(-5), Error);
    auto bad = params_with(2'000.0);
    CHECK_THROWS_WITH(Oscillator(bad), Catch::Contains("offset_ppm"));
    bad = params_with(0.0, 0.0, 200.0);
    CHECK_THROWS_WITH(Oscillator(bad), Catch::Contains("jitter_ps"));
    bad = params_with(0.0);
    bad.wander_step_cycles = 0;
    CHECK_THROWS_WITH(Oscillator(bad), Catch::Contains("wander_step_cycles"));
}

}  // namespace lpu::sim
