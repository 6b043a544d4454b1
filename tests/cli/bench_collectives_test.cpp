// `lpu bench collectives` end to end through the real binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.hpp"

namespace lpu::test {

TEST_CASE("lpu bench collectives --json: one object per size", "[launch][bench]") {
    const auto result = run_lpu("bench collectives --op allreduce --topology fc:8 --chips 8 --bytes 4K,1MiB --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto rows = nlohmann::json::parse(result.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["bytes"] == 4096);
    CHECK(rows[1]["bytes"] == 1048576);
    // 4 KiB is latency-bound: one hop of one_shot; 1 MiB goes to direct's reduce-scatter + all-gather.
    CHECK(rows[0]["algo"] == "one_shot");
    CHECK(rows[1]["algo"] == "direct");
    for (const auto& row : rows) {
        const double emulated_us = row["emulated_us"];
        const double algbw = row["algbw_gbps"];
        CHECK(algbw == Approx(row["bytes"].get<double>() / emulated_us / 1e3));
        CHECK(row["busbw_gbps"].get<double>() == Approx(algbw * 2 * 7 / 8));
        CHECK(row["host_us"].get<double>() > 0);
    }
}

TEST_CASE("lpu bench collectives --skip-host times on the fabric only", "[launch][bench]") {
    const std::string small = "bench collectives --op allreduce --topology fc:4 --bytes 4K --json";
    const auto executed = nlohmann::json::parse(run_lpu(small).out);
    const auto skipped = nlohmann::json::parse(run_lpu(small + " --skip-host").out);
    CHECK(executed[0]["host_us"].get<double>() > 0);
    CHECK(skipped[0]["host_us"].is_null());
    CHECK(skipped[0]["emulated_us"] == executed[0]["emulated_us"]);
    // 256 MiB on 64 chips needs 16 GiB of host buffers, beyond the command's
    // limit: refused unless the real execution is skipped.
    const std::string large = "bench collectives --op allreduce --topology torus:4x4x4 --bytes 256MiB --json";
    const auto refused = run_lpu(large);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("pass --skip-host") != std::string::npos);
    const auto timed = run_lpu(large + " --skip-host");
    INFO(timed.err);
    REQUIRE(timed.exit_code == 0);
    CHECK(nlohmann::json::parse(timed.out)[0]["emulated_us"].get<double>() > 0);
}

TEST_CASE("lpu bench collectives --explain lists the candidates", "[launch][bench]") {
    const auto json = run_lpu("bench collectives --op allgather --algo auto --topology ring:6 --bytes 96K --explain --json");
    INFO(json.err);
    REQUIRE(json.exit_code == 0);
    const auto rows = nlohmann::json::parse(json.out);
    REQUIRE(rows[0]["candidates"].size() == 7);  // every algorithm of the registry
    CHECK(rows[0]["candidates"][2]["unsupported"] == "halving_doubling does not implement allgather");
    CHECK(rows[0]["busbw_gbps"].get<double>() == Approx(rows[0]["algbw_gbps"].get<double>() * 5 / 6));
    const auto text = run_lpu("bench collectives --op broadcast --topology ring:6 --bytes 1K --explain");
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("* direct") != std::string::npos);
    CHECK(text.out.find("busbw_GB/s") != std::string::npos);
}

TEST_CASE("lpu bench collectives --op all_to_all: line exchanges when small, direct when large", "[launch][bench]") {
    // 4 KiB per chip is latency-bound: the torus's two line phases beat
    // direct's 19 routed steps; at 16 MiB direct's single hop per block wins.
    const auto result =
        run_lpu("bench collectives --op all_to_all --topology torus:4x4 --bytes 4K,16M --explain --json --skip-host");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto rows = nlohmann::json::parse(result.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["op"] == "alltoall");
    CHECK(rows[0]["algo"] == "torus");
    CHECK(rows[1]["algo"] == "direct");
    for (const auto& candidate : rows[0]["candidates"]) {
        const bool serves = candidate["algo"] == "direct" || candidate["algo"] == "torus";
        CHECK(candidate.contains("emulated_us") == serves);
    }
    CHECK(rows[0]["busbw_gbps"].get<double>() == Approx(rows[0]["algbw_gbps"].get<double>() * 15 / 16));
    // Run for real on the Dragonfly's node levels: the table as for the other ops.
    const auto text = run_lpu("bench collectives --op alltoall --topology dragonfly:2 --chips 16 --bytes 4K");
    INFO(text.err);
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("alltoall on dragonfly:2, 16 chips") != std::string::npos);
    CHECK(text.out.find("hierarchical") != std::string::npos);
}

TEST_CASE("lpu bench collectives: bad input is an error with exit code 2", "[launch][bench]") {
    for (const char* arguments : {"--op allsum", "--algo nccl", "--bytes 12Q", "--bytes 6", "--chips 99",
                                  "--topology ring:2", "--op p2p --chips 3", "--algo torus"}) {
        const auto result = run_lpu(std::string("bench collectives --topology fc:8 ") + arguments);
        INFO(arguments << ": " << result.err);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("error: ", 0) == 0);
    }
}

}  // namespace lpu::test
