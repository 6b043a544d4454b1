#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sim/clock/aligned_counter.hpp"

namespace lpu::sim {

TEST_CASE("HAC: counts local cycles, steps by offset corrections, trims its rate", "[sim][aligned_counter]") {
    HardwareAlignedCounter hac(1000);
    CHECK(hac.value(0) == 0);
    CHECK(hac.value(2'500) == 2'500);
    CHECK(hac.epoch_index(2'500) == 2);
    CHECK(hac.epoch_phase(2'500) == 500);

    hac.set_value(3'000, Int128{3'010} * q32_one);  // step 10 cycles ahead
    CHECK(hac.value(3'000) == 3'010);
    CHECK(hac.value(3'100) == 3'110);

    hac.set_rate(q32_one + q32_one / 1024);  // counts 1 + 1/1024 per cycle from the last adjustment
    CHECK(hac.value(4'024) == 4'035);
    CHECK(hac.value(13'240) == 13'260);
    // first_cycle_reaching is the inverse: the first cycle at or past a value.
    for (const std::int64_t target : {3'011LL, 5'000LL, 12'345LL}) {
        const std::int64_t cycle = hac.first_cycle_reaching(target);
        CHECK(hac.value(cycle) >= target);
        CHECK(hac.value(cycle - 1) < target);
    }
    CHECK_THROWS_AS(hac.set_rate(q32_one * 3), Error);
    CHECK_THROWS_AS(HardwareAlignedCounter(1), Error);
}

TEST_CASE("DESKEW stalls until the next HAC epoch boundary, then SAC = HAC", "[sim][aligned_counter]") {
    HardwareAlignedCounter hac(1000);
    hac.set_value(0, Int128{37} * q32_one);  // HAC is 37 ahead of local cycles
    SoftwareAlignedCounter sac(0, 0);
    // At local cycle 900 the HAC reads 937: 63 cycles to its boundary at 1000.
    CHECK(sac.deskew(hac, 900) == 63);
    CHECK(sac.value(963) == 1000);
    CHECK(sac.value(1000) == 1037);
    // Exactly on a boundary: no stall.
    CHECK(sac.deskew(hac, 1963) == 0);
}

TEST_CASE("RUNTIME_DESKEW stalls by the measured SAC - HAC difference when ahead", "[sim][aligned_counter]") {
    HardwareAlignedCounter hac(4096);
    hac.set_rate(q32_one - q32_one / 100);  // the HAC counts 0.99 per local cycle
    SoftwareAlignedCounter sac(0, 0);
    // After 10,000 local cycles the SAC reads 10,000 and the HAC 9,900.
    CHECK(sac.runtime_deskew(hac, 10'000) == 100);
    CHECK(sac.value(10'100) == 10'000);
    CHECK(hac.value(10'100) == 9'999);
    // Behind the HAC: no stall (a program cannot run faster).
    SoftwareAlignedCounter behind(0, -50);
    CHECK(behind.runtime_deskew(hac, 1'000) == 0);
    CHECK_THROWS_AS(behind.value(999), Error);
}

}  // namespace lpu::sim
