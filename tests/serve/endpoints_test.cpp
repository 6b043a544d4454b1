// `lpu serve` on stories260K, one batch slot, through httplib's client: the
// model list, completions that are `lpu run`'s greedy completions, chat in
// raw text (stories260K has no chat template), streams that are the whole
// answers in pieces, stop strings, seeds, /health and /metrics.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "tests/serve/serve_process.hpp"
#include "tests/support/paths.hpp"

using nlohmann::json;

namespace {

const std::string kPrompt = "Once upon a time";

void check_usage(const json& body, int prompt_tokens, int completion_tokens) {
    CHECK(body["usage"]["prompt_tokens"] == prompt_tokens);
    CHECK(body["usage"]["completion_tokens"] == completion_tokens);
    CHECK(body["usage"]["total_tokens"] == prompt_tokens + completion_tokens);
    // The emulated system's times: a prompt and a completion take steps; this
    // request waited for none.
    const json& emulated = body["x_emulated_lpu"];
    CHECK(emulated["queue_time"].get<double>() == 0.0);
    CHECK(emulated["prompt_time"].get<double>() > 0.0);
    CHECK(emulated["completion_time"].get<double>() > 0.0);
    CHECK(emulated["total_time"].get<double>() ==
          Approx(emulated["prompt_time"].get<double>() + emulated["completion_time"].get<double>()));
    CHECK(emulated["host_time"].get<double>() > 0.0);
}

}  // namespace

TEST_CASE("serve: /v1/models lists the one model, by its file name", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    lpu::test::ServeProcess server("--model " + gguf);
    auto client = server.client();
    const auto list = client->Get("/v1/models");
    REQUIRE(list);
    CHECK(list->status == 200);
    const json body = json::parse(list->body);
    CHECK(body["object"] == "list");
    REQUIRE(body["data"].size() == 1);
    CHECK(body["data"][0]["id"] == "stories260K");
    CHECK(body["data"][0]["object"] == "model");
    const auto one = client->Get("/v1/models/stories260K");
    REQUIRE(one);
    CHECK(one->status == 200);
    const auto health = client->Get("/health");
    REQUIRE(health);
    CHECK(health->status == 200);
}

TEST_CASE("serve: a greedy completion is lpu run's, whole and streamed", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const int max_tokens = 48;
    const auto expected = lpu::test::lpu_run_completion(gguf, kPrompt, max_tokens);
    lpu::test::ServeProcess server("--model " + gguf);
    auto client = server.client();
    const json request = {{"model", "stories260K"}, {"prompt", kPrompt}, {"max_tokens", max_tokens}, {"temperature", 0}};

    const auto whole = lpu::test::post_json(*client, "/v1/completions", request);
    REQUIRE(whole.status == 200);
    CHECK(whole.body["object"] == "text_completion");
    CHECK(whole.body["model"] == "stories260K");
    REQUIRE(whole.body["choices"].size() == 1);
    CHECK(whole.body["choices"][0]["text"] == expected.text);
    CHECK(whole.body["choices"][0]["finish_reason"] == (expected.completion_tokens == max_tokens ? "length" : "stop"));
    check_usage(whole.body, expected.prompt_tokens, expected.completion_tokens);

    const auto streamed = lpu::test::post_stream(*client, "/v1/completions", request);
    CHECK(streamed.status == 200);
    CHECK(streamed.done);
    CHECK(streamed.text == expected.text);
    REQUIRE(streamed.events.size() >= 2);
    const json& last = streamed.events.back();
    CHECK(last["object"] == "text_completion");
    CHECK(last["choices"][0]["finish_reason"] == whole.body["choices"][0]["finish_reason"]);
    check_usage(last, expected.prompt_tokens, expected.completion_tokens);
    for (std::size_t i = 0; i + 1 < streamed.events.size(); ++i) CHECK(streamed.events[i]["choices"][0]["finish_reason"].is_null());
}

TEST_CASE("serve: chat without a template is the messages as raw text", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const int max_tokens = 40;
    // stories260K has no chat template: the conversation is its messages' text,
    // so one user message is the completion of that text.
    const auto expected = lpu::test::lpu_run_completion(gguf, kPrompt, max_tokens);
    lpu::test::ServeProcess server("--model " + gguf);
    CHECK(server.err().find("chat template none") != std::string::npos);
    auto client = server.client();
    const json request = {{"model", "stories260K"},
                          {"messages", {{{"role", "user"}, {"content", kPrompt}}}},
                          {"max_tokens", max_tokens},
                          {"temperature", 0}};
    const auto whole = lpu::test::post_json(*client, "/v1/chat/completions", request);
    REQUIRE(whole.status == 200);
    CHECK(whole.body["object"] == "chat.completion");
    CHECK(whole.body["choices"][0]["message"]["role"] == "assistant");
    CHECK(whole.body["choices"][0]["message"]["content"] == expected.text);
    check_usage(whole.body, expected.prompt_tokens, expected.completion_tokens);

    const auto streamed = lpu::test::post_stream(*client, "/v1/chat/completions", request);
    CHECK(streamed.done);
    CHECK(streamed.text == expected.text);
    REQUIRE(streamed.events.size() >= 3);
    CHECK(streamed.events.front()["object"] == "chat.completion.chunk");
    CHECK(streamed.events.front()["choices"][0]["delta"]["role"] == "assistant");
    CHECK(streamed.events.back()["choices"][0]["finish_reason"] == whole.body["choices"][0]["finish_reason"]);
    check_usage(streamed.events.back(), expected.prompt_tokens, expected.completion_tokens);
}

TEST_CASE("serve: a stop string ends the completion before it", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto expected = lpu::test::lpu_run_completion(gguf, kPrompt, 64);
    const std::string stop = " named";  // ", there was a little girl named Lily."
    const auto at = expected.text.find(stop);
    REQUIRE(at != std::string::npos);
    lpu::test::ServeProcess server("--model " + gguf);
    auto client = server.client();
    for (const json& stops : {json(stop), json::array({"zebra", stop})}) {
        const json request = {{"prompt", kPrompt}, {"max_tokens", 64}, {"temperature", 0}, {"stop", stops}};
        const auto whole = lpu::test::post_json(*client, "/v1/completions", request);
        REQUIRE(whole.status == 200);
        CHECK(whole.body["choices"][0]["text"] == expected.text.substr(0, at));
        CHECK(whole.body["choices"][0]["finish_reason"] == "stop");
        const auto streamed = lpu::test::post_stream(*client, "/v1/completions", request);
        CHECK(streamed.text == expected.text.substr(0, at));
    }
}

TEST_CASE("serve: a seeded sampled request repeats; without a seed, requests differ", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    lpu::test::ServeProcess server("--model " + gguf);
    auto client = server.client();
    json request = {{"prompt", kPrompt}, {"max_tokens", 64}, {"temperature", 1.0}, {"top_p", 0.95}, {"seed", 42}};
    const auto first = lpu::test::post_json(*client, "/v1/completions", request);
    const auto second = lpu::test::post_json(*client, "/v1/completions", request);
    REQUIRE(first.status == 200);
    CHECK(first.body["choices"][0]["text"] == second.body["choices"][0]["text"]);
    CHECK(lpu::test::post_stream(*client, "/v1/completions", request).text == first.body["choices"][0]["text"]);
    request.erase("seed");
    std::set<std::string> texts;
    for (int i = 0; i < 4; ++i) texts.insert(lpu::test::post_json(*client, "/v1/completions", request).body["choices"][0]["text"]);
    CHECK(texts.size() > 1);
}

TEST_CASE("serve: /metrics counts requests, tokens and slots in the Prometheus format", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    lpu::test::ServeProcess server("--model " + gguf);
    auto client = server.client();
    const auto answer = lpu::test::post_json(*client, "/v1/completions", {{"prompt", kPrompt}, {"max_tokens", 8}, {"temperature", 0}});
    REQUIRE(answer.status == 200);
    CHECK(lpu::test::post_json(*client, "/v1/completions", {{"prompt", 5}}).status == 400);
    const std::string text = lpu::test::metrics_holding(*client, "lpu_http_requests_total{code=\"400\"} 1\n");
    CAPTURE(text);
    const int completion = answer.body["usage"]["completion_tokens"];
    const int prompt = answer.body["usage"]["prompt_tokens"];
    CHECK(text.find("# TYPE lpu_http_requests_total counter\n") != std::string::npos);
    CHECK(text.find("lpu_http_requests_total{code=\"200\"} ") != std::string::npos);  // and /metrics' own
    CHECK(text.find("lpu_http_requests_total{code=\"400\"} 1\n") != std::string::npos);
    CHECK(text.find("lpu_completion_tokens_total " + std::to_string(completion) + "\n") != std::string::npos);
    CHECK(text.find("lpu_prompt_tokens_total " + std::to_string(prompt) + "\n") != std::string::npos);
    CHECK(text.find("lpu_batch_slots 1\n") != std::string::npos);
    CHECK(text.find("lpu_batch_slots_busy 0\n") != std::string::npos);
    CHECK(text.find("lpu_requests_waiting 0\n") != std::string::npos);
    CHECK(text.find("lpu_requests_finished_total{reason=\"length\"} 1\n") != std::string::npos);
    for (const char* name : {"lpu_batch_occupancy_ratio 1\n", "lpu_host_tokens_per_second ", "lpu_emulated_tokens_per_second ",
                             "lpu_steps_total ", "lpu_step_emulated_seconds_total "}) {
        CHECK(text.find(name) != std::string::npos);
    }
    const auto metrics = client->Get("/metrics");
    REQUIRE(metrics);
    CHECK(metrics->get_header_value("Content-Type") == "text/plain; version=0.0.4");
}
