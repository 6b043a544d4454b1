#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "base/log.hpp"

TEST_CASE("log levels are validated by name", "[base]") {
    CHECK_NOTHROW(lpu::log::set_level("debug"));
    CHECK(lpu::log::get("test")->level() == spdlog::level::debug);
    CHECK_NOTHROW(lpu::log::set_level("off"));
    CHECK_THROWS_AS(lpu::log::set_level("loud"), lpu::Error);
    lpu::log::set_level("warn");
}
