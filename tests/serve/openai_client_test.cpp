// The official `openai` npm client (installed by scripts/npm-tools outside the
// source tree) against `lpu serve` on stories260K: completions and chat, whole
// and streamed, all equal to `lpu run`'s greedy completion, and an error the
// client reports with its status. Skipped, saying why, when Node.js or the
// npm registry is not reachable.
#include <catch2/catch.hpp>

#include <string>

#include "tests/serve/serve_process.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"

using nlohmann::json;

TEST_CASE("serve: the openai npm client gets lpu run's completions, whole and streamed", "[serve][npm]") {
    LPU_REQUIRE_SHARED_MODEL(gguf, "stories260K.gguf");
    const auto tools = lpu::test::run_shell(lpu::test::source_dir().string() + "/scripts/npm-tools");
    if (tools.exit_code == 3) LPU_SKIP(tools.err.substr(tools.err.rfind("skipped: ") + 9));
    INFO(tools.err);
    REQUIRE(tools.exit_code == 0);
    const std::string folder = tools.out.substr(0, tools.out.find('\n'));

    const std::string prompt = "Once upon a time";
    const int max_tokens = 32;
    const auto expected = lpu::test::lpu_run_completion(gguf, prompt, max_tokens);
    lpu::test::ServeProcess server("--model " + gguf);
    const auto run = lpu::test::run_shell("LPU_NPM_TOOLS='" + folder + "' node " + lpu::test::source_dir().string() +
                                          "/tests/serve/openai_client.mjs http://127.0.0.1:" +
                                          std::to_string(server.port()) + "/v1 '" + prompt + "' " +
                                          std::to_string(max_tokens));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const json got = json::parse(run.out);
    CAPTURE(got.dump(2));
    CHECK(got["model"] == "stories260K");
    const json usage = {{"prompt_tokens", expected.prompt_tokens},
                        {"completion_tokens", expected.completion_tokens},
                        {"total_tokens", expected.prompt_tokens + expected.completion_tokens}};
    for (const char* part : {"completion", "completion_stream", "chat", "chat_stream"}) {
        CAPTURE(part);
        CHECK(got[part]["text"] == expected.text);
        CHECK(got[part]["finish_reason"] == "length");
        CHECK(got[part]["usage"] == usage);
    }
    CHECK(got["chat"]["role"] == "assistant");
    CHECK(got["completion_stream"]["chunks"].get<int>() > 1);
    CHECK(got["completion"]["x_emulated_lpu"]["completion_time"].get<double>() > 0.0);
    CHECK(got["chat_stream"]["x_emulated_lpu"]["prompt_time"].get<double>() > 0.0);
    CHECK(got["error"]["status"] == 404);
    CHECK(got["error"]["code"] == "model_not_found");
    CHECK(got["error"]["message"].get<std::string>().find("'no-such-model' does not exist") != std::string::npos);
}
