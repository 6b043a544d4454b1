// Failures through the real binary (issue 19): `lpu sim --fail` recompiles
// around a failed chip or link and reports the recovery and the tokens/s
// before and after; `lpu fabric --link-down` takes a link down mid-experiment
// and the alignment tree heals around it, or, with --no-heal, does not.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.hpp"

namespace lpu::test {
namespace {

nlohmann::json json_of(const std::string& arguments) {
    const auto result = run_lpu(arguments + " --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
}

}  // namespace

TEST_CASE("lpu sim --fail: an idle chip takes the failed chip's part, the sequence is replayed", "[launch][sim][failover]") {
    const auto out = json_of("sim --model-preset llama2-7b --tp 8 --pp 8 --context 1024 --fail chip:5@100");
    const auto& failover = out.at("failover");
    CHECK(failover.at("failure").at("chip") == 5);
    CHECK(failover.at("placement") == "stand_in");
    CHECK(failover.at("stand_in").get<int>() != 5);
    CHECK(failover.at("recovery").at("replay_positions") == 100);
    CHECK(failover.at("recovery").at("replay_cycles").get<std::int64_t>() > 0);
    CHECK(failover.at("tokens_per_second_per_user").at("before").get<double>() > 0.0);
    CHECK(failover.at("tokens_per_second_per_user").at("after").get<double>() > 0.0);
    CHECK(failover.at("after").at("lockstep").at("in_lockstep") == true);

    const auto link = json_of("sim --model-preset llama2-7b --tp 8 --pp 8 --context 1024 --fail link:0-1@10");
    CHECK(link.at("failover").at("placement") == "kept");
    CHECK(link.at("failover").at("failure").at("chips") == nlohmann::json::array({0, 1}));
}

TEST_CASE("lpu sim --fail: bad failures are refused by name, before anything is compiled", "[launch][sim][failover]") {
    const std::string grid = "sim --model-preset llama2-7b --tp 8 --pp 8 --context 1024 ";
    const auto unknown = run_lpu(grid + "--fail chip:999@1");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("chip 999 does not exist") != std::string::npos);
    const auto beyond = run_lpu(grid + "--fail chip:5@1024");
    CHECK(beyond.exit_code == 2);
    CHECK(beyond.err.find("beyond the sequence") != std::string::npos);
    const auto malformed = run_lpu(grid + "--fail chip5");
    CHECK(malformed.exit_code == 2);
    CHECK(malformed.err.find("expected chip:N@STEP or link:A-B@STEP") != std::string::npos);
    const auto no_link = run_lpu("sim --model-preset llama2-7b --chips 8 --topology ring:8 --context 256 --fail link:0-4@1");
    CHECK(no_link.exit_code == 2);
}

TEST_CASE("lpu fabric --link-down: the tree heals around the link, and without healing the chips behind drift away",
          "[launch][fabric][failover]") {
    // Ten minutes: a free-running crystal wanders (0.01 ppm per sqrt(s)) far
    // past the slack in that time, so the chips behind the link, corrected
    // no more, must show violations; healed, they stay within the bound.
    const std::string experiment = "fabric --topology ring:6 --duration 600 --link-down 0-1@10";
    const auto healed = json_of(experiment);
    const auto& down = healed.at("link_down");
    CHECK(down.at("healed") == true);
    CHECK(down.at("chips_behind").get<int>() >= 1);
    CHECK(down.at("reparented_chips").get<int>() >= 1);
    CHECK(down.at("violations_after") == 0);
    CHECK(healed.at("violations") == 0);

    const auto cut_off = json_of(experiment + " --no-heal");
    CHECK(cut_off.at("link_down").at("healed") == false);
    CHECK(cut_off.at("link_down").at("violations_after").get<std::int64_t>() > 0);
}

TEST_CASE("lpu fabric --link-down: bad links and flags are refused", "[launch][fabric][failover]") {
    const auto no_such = run_lpu("fabric --topology ring:6 --duration 10 --link-down 0-3@1");
    CHECK(no_such.exit_code == 2);
    const auto late = run_lpu("fabric --topology ring:6 --duration 10 --link-down 0-1@20");
    CHECK(late.exit_code == 2);
    const auto malformed = run_lpu("fabric --topology ring:6 --duration 10 --link-down 0-1");
    CHECK(malformed.exit_code == 2);
    CHECK(malformed.err.find("expected A-B@SECONDS") != std::string::npos);
    const auto heal_alone = run_lpu("fabric --topology ring:6 --duration 10 --no-heal");
    CHECK(heal_alone.exit_code == 2);
    const auto free_running = run_lpu("fabric --topology ring:6 --duration 10 --link-down 0-1@1 --no-compensation");
    CHECK(free_running.exit_code == 2);
}

}  // namespace lpu::test
