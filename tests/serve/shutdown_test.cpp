// How `lpu serve` ends: SIGTERM or SIGINT lets the requests under way finish,
// refuses new ones and exits 0; past --drain-seconds the rest are cancelled
// (a streaming client sees an error event). And where it may listen: loopback
// only, unless --allow-remote.
#include <catch2/catch.hpp>

#include <csignal>
#include <future>
#include <string>
#include <thread>

#include "tests/serve/serve_process.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"

using nlohmann::json;

namespace {

bool busy(httplib::Client& client) {
    const auto metrics = client.Get("/metrics");
    return metrics && metrics->body.find("\nlpu_batch_slots_busy 1\n") != std::string::npos;
}

void wait_until_busy(httplib::Client& client) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (!busy(client)) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

TEST_CASE("serve: SIGTERM and SIGINT finish the running request, then exit 0", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const int signal_number = GENERATE(SIGTERM, SIGINT);
    lpu::test::ServeProcess server("--model " + gguf);
    auto running = std::async(std::launch::async, [&] {
        auto client = server.client();
        return lpu::test::post_json(*client, "/v1/completions",
                                    {{"prompt", "Once upon a time"}, {"max_tokens", 400}, {"temperature", 0}, {"ignore_eos", true}});
    });
    auto watch = server.client();
    wait_until_busy(*watch);
    CHECK(server.stop(signal_number, std::chrono::seconds(30)) == 0);
    const auto answer = running.get();
    CHECK(answer.status == 200);
    CHECK(answer.body["usage"]["completion_tokens"] == 400);
    const std::string err = server.err();
    CHECK(err.find("taking no more requests") != std::string::npos);
    CHECK(err.find("lpu serve: stopped") != std::string::npos);
    // Gone: nothing listens any more.
    CHECK_FALSE(watch->Get("/health"));
}

TEST_CASE("serve: past --drain-seconds the requests left are cancelled", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    lpu::test::ServeProcess server("--model " + gguf + " --drain-seconds 0.2 --context 2048");
    // Through EOS, ten times longer than the drain on a fast host: still running when the drain ends.
    const json request = {{"prompt", "Once upon a time"}, {"max_tokens", 2000}, {"temperature", 0}, {"ignore_eos", true}};
    auto streaming = std::async(std::launch::async, [&] {
        auto client = server.client();
        return lpu::test::post_stream(*client, "/v1/completions", request);
    });
    auto watch = server.client();
    wait_until_busy(*watch);
    auto waiting = std::async(std::launch::async, [&] {
        auto client = server.client();
        return lpu::test::post_json(*client, "/v1/completions", request);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(server.stop(SIGTERM, std::chrono::seconds(30)) == 0);
    const auto streamed = streaming.get();
    REQUIRE_FALSE(streamed.events.empty());
    CHECK(streamed.events.back()["error"]["code"] == "server_shutting_down");
    CHECK_FALSE(streamed.done);
    const auto refused = waiting.get();
    CHECK(refused.status == 503);
    CHECK(refused.retry_after == "10");
    CHECK(server.err().find("cancelling 1 running and 1 waiting requests") != std::string::npos);
}

TEST_CASE("serve: --listen beyond loopback needs --allow-remote", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto refused = lpu::test::run_lpu("serve --model " + gguf + " --listen 0.0.0.0:0");
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("error: --listen 0.0.0.0:0 is not a loopback address") != std::string::npos);
    CHECK(refused.err.find("needs --allow-remote") != std::string::npos);
    const auto help = lpu::test::run_lpu("serve --help");
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("SIGINT/SIGTERM") != std::string::npos);
    CHECK(help.out.find("curl") != std::string::npos);
}
