// Bad and hostile requests to `lpu serve`: each gets its HTTP status and an
// OpenAI error object naming what is wrong, and the server answers the next
// request as if nothing had happened.
#include <catch2/catch.hpp>

#include <string>

#include "tests/serve/serve_process.hpp"
#include "tests/support/paths.hpp"

using nlohmann::json;

namespace {

void check_error(const lpu::test::JsonAnswer& answer, int status, const std::string& message_part,
                 const json& param = nullptr, const json& code = nullptr) {
    CAPTURE(answer.body.dump());
    CHECK(answer.status == status);
    REQUIRE(answer.body.contains("error"));
    const json& error = answer.body["error"];
    CHECK(error["message"].get<std::string>().find(message_part) != std::string::npos);
    CHECK(error["type"].is_string());
    CHECK(error.contains("param"));
    CHECK(error.contains("code"));
    if (!param.is_null()) CHECK(error["param"] == param);
    if (!code.is_null()) CHECK(error["code"] == code);
}

}  // namespace

TEST_CASE("serve: bad requests get 400, 404 and 413 with OpenAI error objects", "[serve]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    // A context of 64 positions makes "too long" cheap to ask for.
    lpu::test::ServeProcess server("--model " + gguf + " --context 64 --max-body-bytes 4096");
    auto client = server.client();
    const std::string completions = "/v1/completions", chat = "/v1/chat/completions";

    SECTION("malformed JSON and a body that is not an object") {
        check_error(lpu::test::post_text(*client, completions, "{\"prompt\": \"hi\""), 400, "not valid JSON");
        check_error(lpu::test::post_text(*client, completions, ""), 400, "not valid JSON");
        check_error(lpu::test::post_text(*client, completions, "[1, 2]"), 400, "must be a JSON object");
        check_error(lpu::test::post_text(*client, chat, "{\"messages\": \"\xFF\"}"), 400, "not valid JSON");
    }
    SECTION("fields of the wrong type or out of range") {
        check_error(lpu::test::post_json(*client, completions, {{"prompt", 5}}), 400, "'prompt'", "prompt");
        check_error(lpu::test::post_json(*client, completions, json::object()), 400, "'prompt' is missing", "prompt");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"max_tokens", "8"}}), 400, "'max_tokens'", "max_tokens");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"max_tokens", 0}}), 400, ">= 1", "max_tokens");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"ignore_eos", "yes"}}), 400,
                    "'ignore_eos' must be true or false", "ignore_eos");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"temperature", "hot"}}), 400, "number", "temperature");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"temperature", 3}}), 400, "[0, 2]", "temperature");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"top_p", 0}}), 400, "(0, 1]", "top_p");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"seed", 1.5}}), 400, "integer", "seed");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"stream", "yes"}}), 400, "true or false", "stream");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"stop", {1, 2}}}), 400, "'stop'", "stop");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"stop", {"a", "b", "c", "d", "e"}}}), 400, "more than 4", "stop");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "a"}, {"n", 2}}), 400, "'n' must be 1", "n");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", {1, 9999}}}), 400, "outside the vocabulary", "prompt");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", {"a", "b"}}}), 400, "'prompt'", "prompt");
        check_error(lpu::test::post_json(*client, chat, {{"messages", json::array()}}), 400, "non-empty", "messages");
        check_error(lpu::test::post_json(*client, chat, {{"messages", {{{"role", "user"}}}}}), 400, "content' is missing",
                    "messages[0].content");
        check_error(lpu::test::post_json(*client, chat, {{"messages", {{{"role", "tool"}, {"content", "x"}}}}}), 400,
                    "is 'tool'", "messages[0].role");
        check_error(lpu::test::post_json(*client, chat, {{"messages", {{{"role", "user"}, {"content", {{{"type", "image_url"}}}}}}}}),
                    400, "text", "messages[0].content");
    }
    SECTION("an unknown model is 404") {
        check_error(lpu::test::post_json(*client, completions, {{"model", "gpt-4"}, {"prompt", "a"}}), 404, "'gpt-4' does not exist",
                    "model", "model_not_found");
        const auto model = client->Get("/v1/models/gpt-4");
        REQUIRE(model);
        CHECK(model->status == 404);
    }
    SECTION("a prompt longer than the context, and max_tokens past it") {
        std::string long_prompt;
        for (int i = 0; i < 80; ++i) long_prompt += " Once";
        check_error(lpu::test::post_json(*client, completions, {{"prompt", long_prompt}}), 400, "context is 64 tokens",
                    "prompt", "context_length_exceeded");
        check_error(lpu::test::post_json(*client, chat, {{"messages", {{{"role", "user"}, {"content", long_prompt}}}}}), 400,
                    "context is 64 tokens", "messages", "context_length_exceeded");
        check_error(lpu::test::post_json(*client, completions, {{"prompt", "Once upon a time"}, {"max_tokens", 60}}), 400,
                    "ask for 65", "max_tokens", "context_length_exceeded");
        // Without max_tokens a chat reply gets the rest of the context.
        const auto rest = lpu::test::post_json(*client, chat, {{"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}},
                                                               {"temperature", 0}});
        CHECK(rest.status == 200);
        CHECK(rest.body["usage"]["total_tokens"].get<int>() <= 64);
    }
    SECTION("a body over --max-body-bytes is 413") {
        const std::string big = json{{"prompt", std::string(5000, 'a')}}.dump();
        check_error(lpu::test::post_text(*client, completions, big), 413, "larger than the server's limit of 4096 bytes",
                    nullptr, "request_too_large");
    }
    SECTION("an unknown path is 404") {
        const auto get = client->Get("/v1/engines");
        REQUIRE(get);
        CHECK(get->status == 404);
        check_error(lpu::test::post_json(*client, "/v2/completions", {{"prompt", "a"}}), 404, "no such endpoint: POST /v2/completions",
                    nullptr, "not_found");
        const auto wrong_method = client->Get("/v1/completions");
        REQUIRE(wrong_method);
        CHECK(wrong_method->status == 404);
    }
    // After all of them the server still answers.
    const auto fine = lpu::test::post_json(*client, completions, {{"prompt", "Once"}, {"max_tokens", 4}, {"temperature", 0}});
    CHECK(fine.status == 200);
    CHECK(server.running());
}
