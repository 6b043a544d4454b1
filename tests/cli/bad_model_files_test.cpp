// `lpu model info` end to end: bad model files give exit code 2 and one
// "error: " line on stderr, never a crash; good files print their tables.
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/runtime/model/model_test_files.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"

namespace lpu::test {
namespace {

// Runs `lpu model info` on `path` and checks the bad-input contract.
void check_refused(const std::string& path, const std::string& what) {
    const auto result = run_lpu("model info --model " + path);
    INFO(what << ": stderr '" << result.err << "'");
    CHECK(result.signal == 0);
    CHECK(result.exit_code == 2);
    CHECK(result.err.rfind("error: ", 0) == 0);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK(result.err.back() == '\n');
}

}  // namespace

TEST_CASE("lpu model info: hand-made bad files exit 2 with one error line", "[launch][model]") {
    TempDir dir("bad-model-files");
    const auto wrong_magic = dir.file("wrong-magic.gguf");
    write_bytes(wrong_magic, ByteBuilder().raw("GGUX").put<std::uint32_t>(3).put<std::uint64_t>(0).bytes());
    check_refused(wrong_magic, "wrong magic (read as a llama2.c header)");

    const auto absurd_count = dir.file("absurd-count.gguf");
    write_bytes(
        absurd_count,
        ByteBuilder().raw("GGUF").put<std::uint32_t>(3).put<std::uint64_t>(1ull << 60).put<std::uint64_t>(0).bytes());
    check_refused(absurd_count, "absurd tensor count");

    const auto empty = dir.file("empty.bin");
    write_bytes(empty, {});
    check_refused(empty, "empty file");
    check_refused(dir.file("missing.gguf"), "missing file");
}

TEST_CASE("lpu model info: truncated real models exit 2 with one error line", "[launch][model]") {
    LPU_REQUIRE_SHARED_MODEL(gguf_path, "stories260K.gguf");
    LPU_REQUIRE_SHARED_MODEL(bin_path, "stories260K.bin");
    TempDir dir("truncated-model-files");
    const auto gguf = read_bytes(gguf_path);
    const auto truncated_gguf = dir.file("truncated.gguf");
    for (std::size_t size = 1; size < 4096; size += 97) {
        write_bytes(truncated_gguf, gguf, size);
        check_refused(truncated_gguf, "GGUF truncated to " + std::to_string(size) + " bytes");
    }
    const auto truncated_bin = dir.file("truncated.bin");
    write_bytes(truncated_bin, read_bytes(bin_path), 500000);
    check_refused(truncated_bin, "llama2.c checkpoint truncated to 500000 bytes");
}

TEST_CASE("lpu model info: prints the config and tensor table", "[launch][model]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto text = run_lpu("model info --model " + path);
    INFO(text.err);
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("dim 64, hidden_dim 172, layers 5, heads 8, kv_heads 4") != std::string::npos);
    CHECK(text.out.find("blk.4.ffn_up.weight") != std::string::npos);

    const auto json = run_lpu("model info --json --model " + path);
    REQUIRE(json.exit_code == 0);
    const auto parsed = nlohmann::json::parse(json.out);
    CHECK(parsed["format"] == "gguf");
    CHECK(parsed["config"]["n_kv_heads"] == 4);
    CHECK(parsed["vocabulary"]["tokens"] == 512);
    REQUIRE(parsed["tensors"].size() == 48);
    CHECK(parsed["tensors"][0]["name"] == "token_embd.weight");
    CHECK(parsed["tensors"][0]["rows"] == 512);
    CHECK(parsed["tensors"][0]["bytes"] == 512 * 64 * 4);
}

}  // namespace lpu::test
