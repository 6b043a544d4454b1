// Load: 32 concurrent streaming clients, 8 requests each, greedy, on
// stories260K with 8 batch slots on tp 2 x pp 2. Every answer is its prompt's
// lone `lpu run` completion whatever ran beside it, no request is lost, and
// the server's resident memory does not grow from the first round to the second
// (in Release: ASan's quarantine grows it by design). 5 s in Release; the
// sanitizer build runs 8 clients x 2 requests (per_build).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/serve/serve_process.hpp"
#include "tests/support/build_flavour.hpp"
#include "tests/support/paths.hpp"

using nlohmann::json;

namespace {

const std::vector<std::string> kPrompts = {"Once upon a time", "Tom had a big red", "The sun was",
                                           "Lily and her mom went", "One day, a little bird", "The dog",
                                           "Sam wanted to play", "There was a tree"};

struct Round {
    int answered = 0;
    std::vector<std::string> mismatches;
};

// Each client sends its requests one after another, streaming; prompts and
// lengths vary so that requests join and leave the batch at different steps.
Round run_round(const lpu::test::ServeProcess& server, int clients, int requests,
                const std::map<std::pair<int, int>, std::string>& expected) {
    std::vector<Round> per_client(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            auto client = server.client();
            Round& round = per_client[static_cast<std::size_t>(c)];
            for (int r = 0; r < requests; ++r) {
                const int prompt = (c + r) % static_cast<int>(kPrompts.size());
                const int max_tokens = 16 + 8 * ((c * 3 + r) % 4);
                const auto answer = lpu::test::post_stream(
                    *client, "/v1/completions",
                    {{"prompt", kPrompts[static_cast<std::size_t>(prompt)]}, {"max_tokens", max_tokens}, {"temperature", 0}});
                if (answer.status != 200 || !answer.done) {
                    round.mismatches.push_back("client " + std::to_string(c) + " request " + std::to_string(r) +
                                               ": status " + std::to_string(answer.status) + " " + answer.failure);
                    continue;
                }
                ++round.answered;
                const std::string& want = expected.at({prompt, max_tokens});
                if (answer.text != want) {
                    round.mismatches.push_back("prompt '" + kPrompts[static_cast<std::size_t>(prompt)] + "' max_tokens " +
                                               std::to_string(max_tokens) + ": got '" + answer.text + "', want '" + want + "'");
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    Round total;
    for (const Round& round : per_client) {
        total.answered += round.answered;
        total.mismatches.insert(total.mismatches.end(), round.mismatches.begin(), round.mismatches.end());
    }
    return total;
}

}  // namespace

TEST_CASE("serve: 32 streaming clients x 8 requests on 8 slots of tp 2 x pp 2 get lpu run's answers", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const int clients = lpu::test::per_build(32, 8);
    const int requests = lpu::test::per_build(8, 2);
    std::map<std::pair<int, int>, std::string> expected;
    for (int p = 0; p < static_cast<int>(kPrompts.size()); ++p) {
        for (const int max_tokens : {16, 24, 32, 40}) {
            expected[{p, max_tokens}] = lpu::test::lpu_run_completion(gguf, kPrompts[static_cast<std::size_t>(p)], max_tokens).text;
        }
    }
    lpu::test::ServeProcess server("--model " + gguf + " --max-batch 8 --tp 2 --pp 2 --context 256");
    long rss_after[2] = {0, 0};
    for (int round = 0; round < 2; ++round) {
        const Round result = run_round(server, clients, requests, expected);
        CAPTURE(round);
        INFO("the server's stderr:\n" << server.err());
        CHECK(result.answered == clients * requests);
        for (const auto& mismatch : result.mismatches) FAIL_CHECK(mismatch);
        rss_after[round] = server.rss_kib();
    }
    // Every request ended by itself and was answered 200 (so were the /metrics
    // scrapes, which the same counter counts); no other status at all.
    auto client = server.client();
    const double all = 2.0 * clients * requests;
    CHECK(lpu::test::eventually([&] {
        return lpu::test::metric(*client, "lpu_requests_finished_total{reason=\"length\"}") +
                   lpu::test::metric(*client, "lpu_requests_finished_total{reason=\"stop\"}") == all;
    }));
    CHECK(lpu::test::metric(*client, "lpu_http_requests_total{code=\"200\"}") >= all);
    const auto metrics = client->Get("/metrics");
    REQUIRE(metrics);
    CAPTURE(metrics->body);
    CHECK(metrics->body.find("lpu_http_requests_total{code=\"4") == std::string::npos);
    CHECK(metrics->body.find("lpu_http_requests_total{code=\"5") == std::string::npos);
    CHECK(metrics->body.find("lpu_batch_slots 8\n") != std::string::npos);
    INFO("RSS after round 1: " << rss_after[0] << " KiB, after round 2: " << rss_after[1] << " KiB");
    // The same work twice: nothing it allocates may stay (a margin for the allocator's own caches).
    // Under the sanitizers ASan holds freed memory back (its quarantine), so RSS
    // grows by design there; LeakSanitizer checks the server's exit instead.
    if (!lpu::test::kUnderSanitizers) CHECK(rss_after[1] <= rss_after[0] + rss_after[0] / 50 + 1024);
}
