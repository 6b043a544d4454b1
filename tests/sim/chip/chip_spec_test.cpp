#include "sim/chip/chip_spec.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/temp_path.hpp"

namespace {

using lpu::sim::ChipSpec;
using lpu::sim::chip_spec_preset;
using lpu::sim::load_chip_spec;
using Catch::Matchers::Contains;

// A spec file in the temp directory, removed when the test ends.
class TempSpecFile {
public:
    explicit TempSpecFile(const std::string& text)
        : path_(lpu::test::unique_temp_path("chip-spec", ".json")) {
        std::ofstream(path_) << text;
    }
    ~TempSpecFile() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

std::string example_spec(const std::string& name) {
    return (lpu::test::source_dir() / "examples" / "specs" / name).string();
}

}  // namespace

TEST_CASE("tsp-v1 preset carries the published figures", "[chip_spec]") {
    const ChipSpec spec = chip_spec_preset("tsp-v1");
    CHECK(spec.name == "tsp-v1");
    CHECK(spec.sram_bytes == 230'000'000);
    CHECK(spec.clock_hz == 900'000'000);
    CHECK(spec.sram_bytes_per_second == 80'000'000'000'000);
    CHECK(spec.int8_macs_per_cycle == spec.mxm_planes * spec.mxm_plane_dim * spec.mxm_plane_dim);
    CHECK(spec.fp16_macs_per_cycle * 4 == spec.int8_macs_per_cycle);
    CHECK(spec.fp8_macs_per_cycle == 0);
    CHECK(spec.vector_alus() == 5'120);
    CHECK(spec.vector_bytes == 320);
    CHECK(spec.c2c_ports == 16);
    CHECK(spec.link_latency_mean_cycles == 650);  // the 722 ns hop, not the HAC's 216-cycle reading
    CHECK(spec.c2c_lane_bits_per_second == 25'000'000'000);
    CHECK(spec.mxm_weight_install_bytes_per_cycle == 0);
    CHECK(spec.power_max_watts == 300.0);
    CHECK(spec.power_tdp_watts == 215.0);
    CHECK(spec.power_average_watts == 185.0);
}

TEST_CASE("tsp-v1 derived rates match the published ones", "[chip_spec]") {
    const ChipSpec spec = chip_spec_preset("tsp-v1");
    // 750 TOPS INT8 / 188 TFLOPS FP16, within the rounding of the vendor's figures.
    CHECK(spec.int8_ops_per_second() == Approx(750e12).epsilon(0.02));
    CHECK(spec.fp16_flops_per_second() == Approx(188e12).epsilon(0.03));
    CHECK(spec.sram_bytes_per_cycle() == Approx(88'888.9).epsilon(1e-4));
    // ~12.2 GB/s of payload per link and direction: 4 x 25 Gb/s, 320-byte vectors in 328-byte frames.
    CHECK(spec.link_bytes_per_second() == 12'195'121'920);
    // One 320-byte vector every ~23.6 cycles on a link.
    const double cycles_per_vector = static_cast<double>(spec.vector_bytes) /
                                     static_cast<double>(spec.link_bytes_per_second()) *
                                     static_cast<double>(spec.clock_hz);
    CHECK(cycles_per_vector == Approx(23.6).epsilon(0.01));
}

TEST_CASE("tsp-v1-1ghz preset changes the clock and SRAM bandwidth only", "[chip_spec]") {
    ChipSpec fast = chip_spec_preset("tsp-v1-1ghz");
    CHECK(fast.clock_hz == 1'000'000'000);
    CHECK(fast.sram_bytes_per_second == 55 * (std::int64_t{1} << 40));
    fast.name = "tsp-v1";
    fast.clock_hz = 900'000'000;
    fast.sram_bytes_per_second = 80'000'000'000'000;
    CHECK(fast == chip_spec_preset("tsp-v1"));
}

TEST_CASE("unknown preset is refused with the known names", "[chip_spec]") {
    REQUIRE_THROWS_AS(chip_spec_preset("tsp-v9"), lpu::Error);
    REQUIRE_THROWS_WITH(chip_spec_preset("tsp-v9"), Contains("tsp-v9") && Contains("tsp-v1-1ghz"));
    REQUIRE_THROWS_WITH(load_chip_spec("tsp-v9"), Contains("neither a preset"));
}

TEST_CASE("to_json and back gives the same spec", "[chip_spec]") {
    for (const auto& name : lpu::sim::chip_spec_preset_names()) {
        const ChipSpec spec = chip_spec_preset(name);
        CHECK(lpu::sim::chip_spec_from_json(lpu::sim::to_json(spec), "round trip") == spec);
    }
}

TEST_CASE("the default preset is tsp-v1 with its fitted install rate, nothing else", "[chip_spec]") {
    CHECK(lpu::sim::default_chip_spec_name() == "tsp-v1-calibrated");
    ChipSpec calibrated = chip_spec_preset("tsp-v1-calibrated");
    CHECK(calibrated.mxm_weight_install_bytes_per_cycle > 0);
    calibrated.name = "tsp-v1";
    calibrated.mxm_weight_install_bytes_per_cycle = 0;
    CHECK(calibrated == chip_spec_preset("tsp-v1"));
}

TEST_CASE("the figures tsp-v1 had before the correction stay reachable as a spec file", "[chip_spec]") {
    const ChipSpec old = load_chip_spec(example_spec("tsp-v1-2023.json"));
    CHECK(old.link_latency_mean_cycles == 216);
    CHECK(old.link_bytes_per_second() == 14'545'454'544);
}

TEST_CASE("example spec files load", "[chip_spec]") {
    CHECK(load_chip_spec(example_spec("tsp-v1.json")) == chip_spec_preset("tsp-v1"));
    ChipSpec large = load_chip_spec(example_spec("large-sram.json"));
    CHECK(large.sram_bytes == 8'000'000'000);
    CHECK(large.name == "tsp-v1-large-sram");
    large.sram_bytes = 230'000'000;
    large.name = "tsp-v1";
    CHECK(large == chip_spec_preset("tsp-v1"));
}

TEST_CASE("a spec file overrides fields of its base preset", "[chip_spec]") {
    const TempSpecFile file(R"({"base": "tsp-v1-1ghz", "name": "small", "sram_bytes": 2.3e6,
                                "fp8_macs_per_cycle": 819200, "power_average_watts": 150})");
    const ChipSpec spec = load_chip_spec(file.path());
    CHECK(spec.name == "small");
    CHECK(spec.clock_hz == 1'000'000'000);  // from the base
    CHECK(spec.sram_bytes == 2'300'000);
    CHECK(spec.fp8_macs_per_cycle == 819'200);
    CHECK(spec.power_average_watts == 150.0);
    CHECK(spec.vector_lanes == 320);

    const TempSpecFile no_base(R"({"clock_hz": 1200000000})");
    CHECK(load_chip_spec(no_base.path()).sram_bytes == 230'000'000);  // base defaults to tsp-v1
}

TEST_CASE("bad spec files are refused naming the problem", "[chip_spec]") {
    const auto refused = [](const std::string& text, const std::string& expected) {
        const TempSpecFile file(text);
        INFO(text);
        REQUIRE_THROWS_AS(load_chip_spec(file.path()), lpu::Error);
        REQUIRE_THROWS_WITH(load_chip_spec(file.path()), Contains(expected));
    };
    refused(R"({"sram_byte": 1000})", "unknown chip spec field 'sram_byte'");
    refused(R"({"sram_bytes": -5})", "'sram_bytes' = -5");
    refused(R"({"sram_bytes": 18446744073709551615})", "'sram_bytes'");
    refused(R"({"sram_bytes": 2.5})", "'sram_bytes' must be a whole number");
    refused(R"({"sram_bytes": 1e300})", "'sram_bytes'");
    refused(R"({"clock_hz": "fast"})", "'clock_hz' must be an integer");
    refused(R"({"power_tdp_watts": "hot"})", "'power_tdp_watts' must be a number");
    refused(R"({"power_tdp_watts": 400})", "'power_tdp_watts' exceeds 'power_max_watts'");
    refused(R"({"fp8_macs_per_cycle": -1})", "'fp8_macs_per_cycle'");
    refused(R"({"c2c_encoding_payload_bits": 2700})", "'c2c_encoding_payload_bits'");
    refused(R"({"base": "tsp-v7"})", "unknown chip spec preset 'tsp-v7'");
    refused(R"({"base": 3})", "'base'");
    refused(R"({"name": ""})", "'name'");
    refused(R"([1, 2])", "must be a JSON object");
    refused(R"({"sram_bytes": 1000,)", "not valid JSON");
    refused("", "not valid JSON");
    // Found by fuzzing: a number too large for JSON's double is an input error, not an internal one.
    refused(R"({"host_link_bytes_per_second": 31507E92307})", "not valid JSON");
}

TEST_CASE("a missing spec file is refused", "[chip_spec]") {
    REQUIRE_THROWS_AS(load_chip_spec("/nonexistent/dir/chip.json"), lpu::Error);
    REQUIRE_THROWS_WITH(load_chip_spec("/nonexistent/dir/chip.json"),
                        Contains("/nonexistent/dir/chip.json"));
}
