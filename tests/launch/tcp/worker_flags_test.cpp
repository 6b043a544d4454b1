// `lpu worker`'s --listen and --allow-remote: a worker listens where it is
// told and serves a run there; a non-loopback address needs --allow-remote,
// since a worker runs whatever plan its coordinator sends.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/paths.hpp"
#include "tests/support/reference_outputs.hpp"
#include "tests/support/run_command.hpp"

namespace {

// tests/launch/tcp/one_worker.sh: the worker started with `worker_flags`, the
// coordinator connecting to it at `connect_host`.
std::string serve_story(const std::string& model, const std::string& connect_host, const std::string& worker_flags) {
    const auto result = lpu::test::run_shell("bash " + lpu::test::source_dir().string() + "/tests/launch/tcp/one_worker.sh " +
                                             lpu::test::lpu_binary() + " " + model + " " + connect_host + " " +
                                             worker_flags);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

void check_served_story(const std::string& report) {
    CHECK(report.find("coordinator exit=0\n") != std::string::npos);
    CHECK(report.find("worker exit=0\n") != std::string::npos);
    CHECK(report.find("--- stdout\n" + lpu::test::kReferenceTextA + "\n--- stderr") != std::string::npos);
    CHECK(report.find("coordinator + 1 TCP workers") != std::string::npos);
}

}  // namespace

TEST_CASE("lpu worker --listen HOST:PORT listens there and serves a run", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    // 127.0.0.2 is loopback too, but not the default 127.0.0.1: only a worker
    // that took --listen can be reached there.
    const std::string report = serve_story(gguf, "127.0.0.2", "--listen 127.0.0.2:0");
    CAPTURE(report);
    CHECK(report.find("listening=lpu worker: listening on 127.0.0.2:") == 0);
    check_served_story(report);
}

TEST_CASE("lpu worker listens beyond loopback only with --allow-remote", "[launch][tcp]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto refused = lpu::test::run_lpu("worker --model " + gguf + " --listen 0.0.0.0:0");
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.rfind("error: --listen 0.0.0.0:0 is not a loopback address", 0) == 0);
    CHECK(refused.err.find("needs --allow-remote") != std::string::npos);

    // Every interface, loopback included: the coordinator connects through 127.0.0.1.
    const std::string report = serve_story(gguf, "127.0.0.1", "--listen 0.0.0.0:0 --allow-remote");
    CAPTURE(report);
    CHECK(report.find("listening=lpu worker: listening on 0.0.0.0:") == 0);
    check_served_story(report);
}
