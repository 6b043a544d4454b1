#include "runtime/chip/sram_fit.hpp"

#include <cstdint>

#include <catch2/catch.hpp>

#include "base/error.hpp"

using lpu::chip::check_fit;
using Catch::Matchers::Contains;

TEST_CASE("Llama-2 70B INT8 weights need ~300 chips of 230 MB", "[sram_fit]") {
    const auto spec = lpu::sim::chip_spec_preset("tsp-v1");
    const auto one_chip = check_fit(69'000'000'000, spec);
    CHECK_FALSE(one_chip.fits());
    CHECK(one_chip.missing_bytes == 69'000'000'000 - 230'000'000);
    CHECK(one_chip.min_chips == 300);
    CHECK(check_fit(69'000'000'000, spec, 300).fits());
    CHECK(check_fit(69'000'000'001, spec, 300).missing_bytes == 1);
    CHECK(check_fit(69'000'000'001, spec, 300).min_chips == 301);
    // Reserving 30 MB per chip for activations leaves 200 MB for weights.
    const auto reserved = check_fit(69'000'000'000, spec, 576, 30'000'000);
    CHECK(reserved.fits());
    CHECK(reserved.usable_bytes_per_chip == 200'000'000);
    CHECK(reserved.min_chips == 345);
}

TEST_CASE("a misfit is described with the bytes short and the chips needed", "[sram_fit]") {
    const auto spec = lpu::sim::chip_spec_preset("tsp-v1");
    const auto fit = check_fit(500'000'000, spec, 2);
    CHECK(lpu::chip::describe_misfit(fit, "model 'tiny'", spec.name) ==
          "model 'tiny' needs 500000000 bytes of SRAM but 2 chips of 'tsp-v1' offer 460000000 "
          "(short by 40000000 bytes); it needs at least 3 chips");
    REQUIRE_THROWS_WITH(lpu::chip::require_fit(500'000'000, spec, 1, "model 'tiny'"),
                        Contains("short by 270000000 bytes") && Contains("at least 3 chips"));
    CHECK_NOTHROW(lpu::chip::require_fit(500'000'000, spec, 3, "model 'tiny'"));
}

TEST_CASE("check_fit refuses nonsense arguments", "[sram_fit]") {
    const auto spec = lpu::sim::chip_spec_preset("tsp-v1");
    CHECK_THROWS_AS(check_fit(-1, spec), lpu::Error);
    CHECK_THROWS_AS(check_fit(1, spec, 0), lpu::Error);
    CHECK_THROWS_WITH(check_fit(1, spec, 1, 230'000'000), Contains("leaves nothing"));
    CHECK(check_fit(0, spec).fits());
    // A chip count whose capacity overflows int64 simply fits.
    CHECK(check_fit(1, spec, INT64_MAX / 2).fits());
}
