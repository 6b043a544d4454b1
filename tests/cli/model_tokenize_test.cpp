// `lpu model tokenize`, `detokenize` and `import-tokenizer` end to end, on the
// stories260K SentencePiece vocabulary and on the Qwen byte-level vocabulary the
// tokenizer cross-check stored (tests/data/tokenizer/).
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/model/gguf_vocabulary.hpp"
#include "runtime/model/hf_tokenizer.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

namespace fs = std::filesystem;

std::string stored(const std::string& file) {
    return (lpu::test::source_dir() / "tests" / "data" / "tokenizer" / file).string();
}

model::HfTokenizer stored_qwen() {
    return model::read_hf_tokenizer({stored("qwen3.tokenizer.json"), stored("qwen3.tokenizer_config.json"), ""});
}

}  // namespace

TEST_CASE("lpu model tokenize: the SentencePiece reference prompt, and back", "[launch][tokenize]") {
    LPU_REQUIRE_SHARED_MODEL(model, "stories260K.gguf");
    auto result = run_lpu("model tokenize --model " + model + " --text 'Once upon a time'");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == "1 403 407 261 378\n");
    result = run_lpu("model tokenize --model " + model + " --no-bos --text 'Once upon a time'");
    CHECK(result.out == "403 407 261 378\n");
    result = run_lpu("model detokenize --model " + model + " --ids 1,403,407,261,378");
    CHECK(result.out == "Once upon a time\n");
}

TEST_CASE("lpu model import-tokenizer, tokenize and detokenize on a byte-level vocabulary", "[launch][tokenize]") {
    const TempDir dir("tokenize");
    const std::string vocab = dir.file("qwen.gguf");
    auto result = run_lpu("model import-tokenizer --tokenizer-json " + stored("qwen3.tokenizer.json") +
                          " --tokenizer-config " + stored("qwen3.tokenizer_config.json") + " -o " + vocab);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("pre-tokenizer qwen2") != std::string::npos);
    CHECK(result.err.find("NFC") != std::string::npos);  // told that GGUF does not normalize

    const std::string strings = dir.write("strings.json", R"(["Hello world!", "<|im_start|>user", "你好"])");
    result = run_lpu("model tokenize --model " + vocab + " --file " + strings + " --json");
    REQUIRE(result.exit_code == 0);
    const auto plain = nlohmann::json::parse(result.out);
    REQUIRE(plain.size() == 3);
    CHECK(plain[0] == nlohmann::json({9707, 1879, 0}));  // Qwen adds no BOS
    result = run_lpu("model tokenize --model " + vocab + " --file " + strings + " --json --special");
    const auto special = nlohmann::json::parse(result.out);
    CHECK(special[1] == nlohmann::json({151644, 872}));
    CHECK(special[1] != plain[1]);

    const std::string ids = dir.write("ids.json", special.dump());
    result = run_lpu("model detokenize --model " + vocab + " --file " + ids + " --json --special");
    REQUIRE(result.exit_code == 0);
    const auto texts = nlohmann::json::parse(result.out);
    CHECK(texts[1]["text"] == "<|im_start|>user");
    CHECK(texts[2]["text"] == "你好");
    CHECK(texts[2]["text_replaced_invalid_utf8"] == false);
    // Without --special the control token prints nothing.
    result = run_lpu("model detokenize --model " + vocab + " --ids 151644,872");
    CHECK(result.out == "user\n");
}

TEST_CASE("lpu model detokenize --json: bytes that are not UTF-8 become U+FFFD and it says so", "[launch][tokenize]") {
    const TempDir dir("tokenize");
    const std::string vocab = dir.file("qwen.gguf");
    const auto imported = stored_qwen();
    model::write_vocab_only_gguf(imported.data, "qwen2", "qwen", vocab);
    // "你" is three bytes; its first byte alone is the byte token 160 ("ä" in the alphabet).
    const auto result = run_lpu("model detokenize --model " + vocab + " --ids 9707,160 --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto texts = nlohmann::json::parse(result.out);
    CHECK(texts[0]["text"] == "Hello\xEF\xBF\xBD");
    CHECK(texts[0]["text_replaced_invalid_utf8"] == true);
}

TEST_CASE("lpu model tokenize: bad vocabularies and inputs are one error line, exit 2", "[launch][tokenize]") {
    const TempDir dir("tokenize");
    const auto imported = stored_qwen();
    const auto expect_error = [](const CommandResult& result, const std::string& text) {
        INFO(result.err);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("error: ", 0) == 0);
        CHECK(result.err.find(text) != std::string::npos);
    };

    auto data = imported.data;
    data.pre_tokenizer = "tekken";
    const std::string unknown_pre = dir.file("pre.gguf");
    model::write_vocab_only_gguf(data, "qwen2", "bad", unknown_pre);
    expect_error(run_lpu("model tokenize --model " + unknown_pre + " --text hi"),
                 "tokenizer.ggml.pre is 'tekken', an unknown pre-tokenizer");

    data = imported.data;
    data.merges.push_back("\xC4\xA0 nosuchtoken");
    const std::string bad_merge = dir.file("merge.gguf");
    model::write_vocab_only_gguf(data, "qwen2", "bad", bad_merge);
    expect_error(run_lpu("model tokenize --model " + bad_merge + " --text hi"), "names 'nosuchtoken'");

    const std::string vocab = dir.file("qwen.gguf");
    model::write_vocab_only_gguf(imported.data, "qwen2", "qwen", vocab);
    expect_error(run_lpu("model tokenize --model " + vocab + " --file " + dir.write("x.json", "{\"a\": 1}")),
                 "must hold a JSON array of strings");
    expect_error(run_lpu("model tokenize --model " + vocab + " --file " + dir.write("y.json", "[1")), "not valid JSON");
    expect_error(run_lpu("model tokenize --model " + vocab), "give --text or --file");
    expect_error(run_lpu("model detokenize --model " + vocab + " --ids 1,x"), "'x' is not a token id");
    expect_error(run_lpu("model detokenize --model " + vocab + " --ids 99999999"), "outside the vocabulary");
    expect_error(run_lpu("model import-tokenizer --tokenizer-json " + dir.write("t.json", "{}") + " -o " +
                         dir.file("out.gguf")),
                 "model.type is not BPE");
}

}  // namespace lpu::test
