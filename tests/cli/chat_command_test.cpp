// `lpu chat` end to end: one turn and a piped conversation, in the model's
// template, on one chip and partitioned; the raw-text fallback is announced.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/model/synthetic_model.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

// A qwen2 model with a byte-level vocabulary and a ChatML template.
class ChatModel {
public:
    ChatModel() : path_(unique_temp_path("chat-model", ".gguf")) {
        model::SyntheticShape shape;
        shape.architecture = model::Architecture::Qwen2;
        shape.tokenizer = model::TokenizerModel::BytePairs;
        model::write_synthetic_model(shape, path_.string());
    }
    ~ChatModel() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// A model on the stored (cut) Llama 3 vocabulary whose chat template is Phi-3's, a family lpu
// does not know: the vocabulary is imported with that template, then copied into a synthetic model.
class UnknownTemplateModel {
public:
    UnknownTemplateModel() : dir_(unique_temp_path("chat-template")) {
        std::filesystem::create_directories(dir_);
        const auto stored = lpu::test::source_dir() / "tests" / "data" / "tokenizer";
        nlohmann::json config = nlohmann::json::parse(std::ifstream(stored / "llama3.tokenizer_config.json"));
        config["chat_template"] =
            "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + "
            "'<|end|>\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";
        std::ofstream(dir_ / "tokenizer_config.json") << config.dump();
        const std::string vocab = (dir_ / "vocab.gguf").string();
        const auto imported = run_lpu("model import-tokenizer --tokenizer-json " +
                                      (stored / "llama3.tokenizer.json").string() + " --tokenizer-config " +
                                      (dir_ / "tokenizer_config.json").string() + " -o " + vocab);
        REQUIRE(imported.exit_code == 0);
        const auto synthesized = run_lpu("model synth --dtype q8_0 --vocab-from " + vocab + " -o " + path());
        REQUIRE(synthesized.exit_code == 0);
    }
    ~UnknownTemplateModel() { std::filesystem::remove_all(dir_); }
    std::string path() const { return (dir_ / "model.gguf").string(); }

private:
    std::filesystem::path dir_;
};

}  // namespace

TEST_CASE("lpu chat --prompt: one turn in the model's template, the same tokens on every grid", "[launch][chat]") {
    const ChatModel model;
    const std::string args = "chat --model " + model.path() + " --prompt 'hello there' --temperature 0 --max-tokens 16 --json";
    const auto one_chip = run_lpu(args);
    INFO(one_chip.err);
    REQUIRE(one_chip.exit_code == 0);
    const auto reply = nlohmann::json::parse(one_chip.out);
    CHECK(reply["template"] == "chatml");
    CHECK(reply["tokens"].size() <= 16);
    CHECK_FALSE(reply["prompt_tokens"].empty());
    CHECK(reply.contains("text_replaced_invalid_utf8"));
    for (const std::string grid : {"--tp 2 --pp 1", "--tp 2 --pp 2"}) {
        const auto partitioned = run_lpu(args + " " + grid);
        REQUIRE(partitioned.exit_code == 0);
        CHECK(nlohmann::json::parse(partitioned.out)["tokens"] == reply["tokens"]);
    }
}

TEST_CASE("lpu chat: a conversation from stdin, one reply per line", "[launch][chat]") {
    const ChatModel model;
    // Grouped, so that run_shell's own stdin redirection does not replace the pipe.
    const auto result = run_shell("{ printf 'hi\\n\\nhow are you\\n' | " + lpu_binary() + " chat --model " + model.path() +
                                  " --temperature 0 --max-tokens 8; }");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("template chatml") != std::string::npos);
    // Two messages (the empty line is skipped), two replies and their summaries.
    std::size_t summaries = 0;
    for (std::size_t at = 0; (at = result.err.find("new prompt tokens", at)) != std::string::npos; ++at) ++summaries;
    CHECK(summaries == 2);
}

TEST_CASE("lpu chat: a model without a template it knows falls back to raw text and says so", "[launch][chat]") {
    LPU_REQUIRE_SHARED_MODEL(stories, "stories260K.gguf");
    const auto result = run_lpu("chat --model " + stories + " --prompt 'Once upon a time' --temperature 0 --max-tokens 20");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("has no chat template") != std::string::npos);
    CHECK(result.err.find("raw text") != std::string::npos);
    CHECK(result.out.rfind(", there was a little girl", 0) == 0);  // stories260K continues the story
}

TEST_CASE("lpu chat: a chat template lpu does not know falls back to raw text and says so", "[launch][chat]") {
    const UnknownTemplateModel model;
    const auto result = run_lpu("chat --model " + model.path() + " --prompt hello --temperature 0 --max-tokens 4 --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("none of the families lpu knows") != std::string::npos);
    CHECK(result.err.find("raw text") != std::string::npos);
    const auto reply = nlohmann::json::parse(result.out);
    CHECK(reply["template"].is_null());
    CHECK(reply["prompt_tokens"] == nlohmann::json::array({128000, 15339}));  // BOS, "hello": nothing around it
}

TEST_CASE("lpu chat: bad options are one error line, exit 2", "[launch][chat]") {
    const ChatModel model;
    auto result = run_lpu("chat --model " + model.path() + " --template phi3 --prompt hi");
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("--template 'phi3' is not one of raw, chatml") != std::string::npos);
    result = run_lpu("chat --model " + model.path() + " --json");
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("--json needs --prompt") != std::string::npos);
    result = run_lpu("chat --model " + model.path() + " --prompt ''");
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("--prompt is empty") != std::string::npos);
}

}  // namespace lpu::test
