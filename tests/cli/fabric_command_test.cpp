// `lpu fabric` end to end through the real binary.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.hpp"

namespace lpu::test {

TEST_CASE("lpu fabric --json: the clock experiment's figures", "[launch][fabric]") {
    const auto result = run_lpu("fabric --topology ring:6 --duration 30 --ppm 100 --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto out = nlohmann::json::parse(result.out);
    for (const char* key : {"max_skew_cycles", "p99_skew_cycles", "violations", "deskew_stall_fraction",
                            "first_violation_s", "skew_bound_cycles", "slack_cycles", "epoch_cycles",
                            "correction_period_s", "chips", "seed"}) {
        CHECK(out.contains(key));
    }
    CHECK(out["chips"] == 6);
    CHECK(out["violations"] == 0);
    CHECK(out["first_violation_s"].is_null());
    CHECK(out["max_skew_cycles"].get<double>() <= out["skew_bound_cycles"].get<double>());
    CHECK(out["deskew_stall_fraction"].get<double>() > 0.0);
}

TEST_CASE("lpu fabric: the same command twice gives byte-identical JSON", "[launch][fabric]") {
    const std::string command = "fabric --topology torus:3x3 --duration 10 --seed 7 --json";
    const auto first = run_lpu(command);
    const auto second = run_lpu(command);
    REQUIRE(first.exit_code == 0);
    CHECK(first.out == second.out);
    const auto other_seed = run_lpu("fabric --topology torus:3x3 --duration 10 --seed 8 --json");
    CHECK(other_seed.out != first.out);
}

TEST_CASE("lpu fabric --wander: the crystals' random walk moves the skew", "[launch][fabric]") {
    const std::string command = "fabric --topology ring:6 --duration 30 --ppm 100 --seed 3 --json --wander ";
    const auto still = run_lpu(command + "0");
    const auto wandering = run_lpu(command + "5");
    REQUIRE(still.exit_code == 0);
    REQUIRE(wandering.exit_code == 0);
    const auto a = nlohmann::json::parse(still.out), b = nlohmann::json::parse(wandering.out);
    CHECK(a["wander_ppm_per_sqrt_s"] == 0.0);
    CHECK(b["wander_ppm_per_sqrt_s"] == 5.0);
    // The same crystals (seed), one drifting on top: the alignment still holds,
    // with other skews.
    CHECK(b["violations"] == 0);
    CHECK(a["max_skew_cycles"] != b["max_skew_cycles"]);
}

TEST_CASE("lpu fabric --no-compensation: violations with their first time", "[launch][fabric]") {
    const auto result = run_lpu("fabric --topology fc:2 --duration 0.05 --no-compensation --slack 100 "
                                "--correction-period 0.01 --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto out = nlohmann::json::parse(result.out);
    CHECK(out["compensation"] == false);
    CHECK(out["violations"].get<long long>() > 0);
    CHECK(out["first_violation_s"].is_number());
    CHECK(out["skew_bound_cycles"].is_null());
}

TEST_CASE("lpu fabric --csv writes one skew row per round; text mode summarises", "[launch][fabric]") {
    const auto path = std::filesystem::temp_directory_path() / ("lpu-fabric-" + std::to_string(::getpid()) + ".csv");
    const auto result = run_lpu("fabric --topology ring:4 --duration 2.6 --csv " + path.string());
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("violations:      0") != std::string::npos);
    CHECK(result.out.find("deskew stalls:") != std::string::npos);
    std::ifstream in(path);
    std::string header, line;
    std::getline(in, header);
    CHECK(header == "round,time_s,max_skew_cycles,spread_cycles");
    int rows = 0;
    while (std::getline(in, line)) ++rows;
    CHECK(rows == 11);  // 2.6 s / 0.26 s rounds, plus the root's 0.1% of margin
    std::filesystem::remove(path);
}

TEST_CASE("lpu fabric: bad input is an error with exit code 2", "[launch][fabric]") {
    for (const char* arguments : {"fabric --topology nonsense:3", "fabric --topology ring:4 --ppm -5",
                                  "fabric --topology ring:4 --root 9", "fabric --topology ring:4 --echoes 0",
                                  "fabric --topology ring:4 --buffer-vectors 1 --exchange-period 10",
                                  "fabric --duration 5"}) {
        const auto result = run_lpu(arguments);
        INFO(arguments);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("error: ", 0) == 0);
    }
}

}  // namespace lpu::test
