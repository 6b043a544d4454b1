#include <cmath>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/chip/link_model.hpp"

namespace lpu::sim {

TEST_CASE("LinkModel: defaults come from the chip spec", "[sim][link_model]") {
    const LinkTiming timing = link_timing_from_spec(ChipSpec{});
    CHECK(timing.latency_ps == 722'223);  // 650 cycles at 900 MHz: the 722 ns hop
    CHECK(timing.jitter_stddev_ps == 3'056);  // 2.75 cycles
    CHECK(timing.vector_bytes == 320);
    CHECK(timing.bytes_per_second == ChipSpec{}.link_bytes_per_second());
}

TEST_CASE("LinkModel: serialisation in whole 320-byte vectors", "[sim][link_model]") {
    CHECK(vector_slots(1, 320) == 1);
    CHECK(vector_slots(320, 320) == 1);
    CHECK(vector_slots(321, 320) == 2);
    CHECK(vector_slots(0, 320) == 0);
    CHECK_THROWS_AS(vector_slots(-1, 320), Error);
    LinkTiming timing;
    timing.latency_ps = 240'000;
    timing.bytes_per_second = 16'000'000'000;  // 20 ns per vector
    timing.jitter_stddev_ps = 0;
    const LinkModel link(timing, 1);
    CHECK(link.vector_ps() == 20'000);
    CHECK(link.serialisation_ps(641) == 60'000);
    CHECK(link.transfer_ps(0, 0, 641) == 240'000 + 60'000);
    CHECK(link.vector_arrival_ps(0, 0, 0) == 240'000 + 20'000);
}

TEST_CASE("LinkModel: per-transfer jitter is seeded, bounded, zero-mean", "[sim][link_model]") {
    const LinkTiming timing = link_timing_from_spec(ChipSpec{});
    const LinkModel a(timing, 5), b(timing, 5), c(timing, 6);
    double sum = 0.0, sum_squares = 0.0;
    bool differs = false;
    const int samples = 20'000;
    for (int i = 0; i < samples; ++i) {
        const auto jitter = a.jitter_ps(3, static_cast<std::uint64_t>(i));
        CHECK(jitter == b.jitter_ps(3, static_cast<std::uint64_t>(i)));
        differs = differs || jitter != c.jitter_ps(3, static_cast<std::uint64_t>(i));
        CHECK(std::abs(jitter) <= a.max_jitter_ps());
        sum += static_cast<double>(jitter);
        sum_squares += static_cast<double>(jitter) * static_cast<double>(jitter);
    }
    CHECK(differs);
    CHECK(std::abs(sum / samples) < 60.0);
    CHECK(std::sqrt(sum_squares / samples) == Approx(3'056).epsilon(0.03));
}

TEST_CASE("LinkModel: bad timings are refused by name", "[sim][link_model]") {
    LinkTiming timing;
    timing.jitter_stddev_ps = 150'000;  // 6 sigma > latency
    CHECK_THROWS_WITH(LinkModel(timing, 1), Catch::Contains("jitter_stddev_ps"));
    timing = LinkTiming{};
    timing.bytes_per_second = 0;
    CHECK_THROWS_WITH(LinkModel(timing, 1), Catch::Contains("bytes_per_second"));
    timing = LinkTiming{};
    timing.vector_bytes = 0;
    CHECK_THROWS_WITH(LinkModel(timing, 1), Catch::Contains("vector_bytes"));
}

}  // namespace lpu::sim
