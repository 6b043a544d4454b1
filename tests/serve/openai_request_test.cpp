// Reading the bodies of /v1/completions and /v1/chat/completions: what is
// taken, the defaults, and the ApiError (400, naming the field) for what is
// not; unknown fields pass.
#include <catch2/catch.hpp>

#include "serve/api_error.hpp"
#include "serve/openai_request.hpp"

using lpu::serve::ApiError;
using lpu::serve::CompletionRequest;
using lpu::serve::Endpoint;
using lpu::serve::parse_completion_request;

namespace {

std::string refused_param(const std::string& body, Endpoint endpoint) {
    try {
        parse_completion_request(body, endpoint);
    } catch (const ApiError& error) {
        CHECK(error.status() == 400);
        return error.param();
    }
    FAIL("accepted: " << body);
    return {};
}

}  // namespace

TEST_CASE("serve: a completion request's fields and defaults", "[serve]") {
    const CompletionRequest minimal = parse_completion_request(R"({"prompt": "hi"})", Endpoint::completions);
    CHECK(minimal.prompt == "hi");
    CHECK(minimal.model.empty());
    CHECK_FALSE(minimal.max_tokens);
    CHECK(minimal.temperature == 1.0f);
    CHECK(minimal.top_p == 1.0f);
    CHECK_FALSE(minimal.seed);
    CHECK_FALSE(minimal.stream);

    const CompletionRequest full = parse_completion_request(
        R"({"model": "m", "prompt": [1, 403], "max_tokens": 7, "temperature": 0, "top_p": 0.5, "seed": -1,
            "stop": "\n", "stream": true, "n": 1, "user": "x", "frequency_penalty": 0, "logit_bias": null})",
        Endpoint::completions);
    CHECK(full.model == "m");
    CHECK(full.prompt_tokens == std::vector<int>{1, 403});
    CHECK(full.max_tokens == 7);
    CHECK(full.temperature == 0.0f);
    CHECK(full.top_p == 0.5f);
    CHECK(full.seed == ~std::uint64_t{0});
    CHECK(full.stop == std::vector<std::string>{"\n"});
    CHECK(full.stream);
    CHECK(parse_completion_request(R"({"prompt": ["one"]})", Endpoint::completions).prompt == "one");
}

TEST_CASE("serve: a chat request's messages", "[serve]") {
    const CompletionRequest chat = parse_completion_request(
        R"({"messages": [{"role": "developer", "content": "Be brief."},
                         {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
                         {"role": "assistant", "content": "c", "name": "bot"}],
            "max_tokens": 3, "max_completion_tokens": 9})",
        Endpoint::chat);
    REQUIRE(chat.messages.size() == 3);
    CHECK(chat.messages[0].role == "system");
    CHECK(chat.messages[1].content == "ab");
    CHECK(chat.messages[2].role == "assistant");
    CHECK(chat.max_tokens == 9);  // max_completion_tokens wins, as in OpenAI's API
}

TEST_CASE("serve: refused fields are named", "[serve]") {
    CHECK(refused_param(R"({"prompt": "a", "max_tokens": 1.5})", Endpoint::completions) == "max_tokens");
    CHECK(refused_param(R"({"prompt": "a", "max_tokens": 99999999999})", Endpoint::completions) == "max_tokens");
    CHECK(refused_param(R"({"prompt": [-1]})", Endpoint::completions) == "prompt");
    CHECK(refused_param(R"({"prompt": []})", Endpoint::completions) == "prompt");
    CHECK(refused_param(R"({"prompt": "a", "model": 3})", Endpoint::completions) == "model");
    CHECK(refused_param(R"({"prompt": "a", "n": 3})", Endpoint::completions) == "n");
    CHECK(refused_param(R"({"messages": [1]})", Endpoint::chat) == "messages[0]");
    CHECK(refused_param(R"({"messages": [{"role": 1, "content": "x"}]})", Endpoint::chat) == "messages[0].role");
    CHECK(refused_param(R"({"prompt": "a"})", Endpoint::chat) == "messages");
    CHECK(refused_param("nonsense", Endpoint::chat).empty());
}
