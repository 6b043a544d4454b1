// Load beyond the queue and clients that go away: with one slot and one
// waiting place, further requests get 429 with Retry-After while the first
// two are answered; a streaming client that disconnects has its request
// cancelled, which frees its slot for the next one.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/serve/serve_process.hpp"
#include "tests/support/paths.hpp"

using nlohmann::json;

namespace {

using lpu::test::eventually;
using lpu::test::metric;

// A long greedy story, through EOS: it holds its slot for a while.
const json kLong = {{"prompt", "Once upon a time"}, {"max_tokens", 1500}, {"temperature", 0}, {"ignore_eos", true}};

}  // namespace

TEST_CASE("serve: requests beyond --max-waiting get 429 with Retry-After", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    lpu::test::ServeProcess server("--model " + gguf + " --max-waiting 1");
    auto watch = server.client();
    // One request in the slot, one waiting: both answered in the end.
    std::vector<std::future<lpu::test::JsonAnswer>> accepted;
    for (int i = 0; i < 2; ++i) {
        accepted.push_back(std::async(std::launch::async, [&] {
            auto client = server.client();
            return lpu::test::post_json(*client, "/v1/completions", kLong);
        }));
        REQUIRE(eventually([&] { return metric(*watch, "lpu_batch_slots_busy") + metric(*watch, "lpu_requests_waiting") == i + 1; }));
    }
    for (int i = 0; i < 3; ++i) {
        const auto refused = lpu::test::post_json(*watch, "/v1/completions", kLong);
        CHECK(refused.status == 429);
        CHECK(refused.retry_after == "1");
        CHECK(refused.body["error"]["code"] == "queue_full");
    }
    const auto streamed = lpu::test::post_stream(*watch, "/v1/completions", kLong);
    CHECK(streamed.status == 429);
    for (auto& answer : accepted) CHECK(answer.get().status == 200);
    CHECK(lpu::test::post_json(*watch, "/v1/completions", kLong).status == 200);
}

TEST_CASE("serve: a streaming client that disconnects frees its slot", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    lpu::test::ServeProcess server("--model " + gguf + " --context 2048");
    {
        // Read a few events, then go away mid-stream.
        auto client = server.client();
        int events = 0;
        json request = kLong;
        request["max_tokens"] = 2000;
        request["stream"] = true;
        const auto result = lpu::test::post_receiving(*client, "/v1/completions", request.dump(),
                                                      [&](const char*, std::size_t) { return ++events < 3; });
        CHECK(events == 3);
        CHECK_FALSE(result);  // the client cancelled it
    }
    auto watch = server.client();
    REQUIRE(eventually([&] { return metric(*watch, "lpu_requests_finished_total{reason=\"cancelled\"}") == 1; }));
    CHECK(metric(*watch, "lpu_batch_slots_busy") == 0);
    // Cancelled well before its 2000 tokens.
    CHECK(metric(*watch, "lpu_completion_tokens_total") < 1000);
    const auto next = lpu::test::post_json(*watch, "/v1/completions", {{"prompt", "Once"}, {"max_tokens", 8}, {"temperature", 0}});
    CHECK(next.status == 200);
}
