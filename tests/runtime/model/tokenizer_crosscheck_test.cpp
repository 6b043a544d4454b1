// The tokenizer cross-check against llama.cpp and tokenizer.json (scripts/crosscheck/
// tokenize.sh), replayed without npm from its stored results: 2,000+ strings whose ids
// llama.cpp gave, for the Llama 3 and Qwen vocabularies, and for GPT-2's pre-tokenizer on
// the Llama 3 vocabulary (no package ships GPT-2's own). The stored tokenizer.json is
// cut down to the tokens and merges those strings reach, so this also runs the
// importer; with the full vocabulary fixtures the cross-check leaves in the cache, the
// same strings run through the full vocabularies too.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/model/gguf_vocabulary.hpp"
#include "runtime/model/hf_tokenizer.hpp"
#include "runtime/model/vocabulary_file.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::model {
namespace {

namespace fs = std::filesystem;

fs::path stored(const std::string& file) { return lpu::test::source_dir() / "tests" / "data" / "tokenizer" / file; }

struct Case {
    std::string text;
    std::vector<int> ids;          // without special parsing, no BOS
    std::vector<int> special_ids;  // with special parsing
};

std::vector<Case> cases_of(const std::string& vocabulary) {
    std::ifstream in(stored(vocabulary + ".cases.json"));
    REQUIRE(in.good());
    std::vector<Case> cases;
    for (const auto& item : nlohmann::json::parse(in)) {
        Case c{item[0].get<std::string>(), item[1].get<std::vector<int>>(), {}};
        c.special_ids = item[2].is_null() ? c.ids : item[2].get<std::vector<int>>();
        cases.push_back(std::move(c));
    }
    return cases;
}

// Every case through `tokenizer`: ids in both modes and decode(encode(s)) == s.
// Failures are counted and the first few shown, rather than 8,000 assertions.
void check_cases(const Tokenizer& tokenizer, const std::vector<Case>& cases) {
    int failures = 0;
    for (const Case& c : cases) {
        const auto ids = tokenizer.encode(c.text, {.add_special = false, .parse_special = false});
        const auto special_ids = tokenizer.encode(c.text, {.add_special = false, .parse_special = true});
        const bool ok = ids == c.ids && special_ids == c.special_ids && tokenizer.decode(ids) == c.text &&
                        tokenizer.decode(special_ids, /*render_special=*/true) == c.text;
        if (!ok && ++failures <= 5) {
            INFO("text: " << nlohmann::json(c.text).dump());
            CHECK(ids == c.ids);
            CHECK(special_ids == c.special_ids);
            CHECK(tokenizer.decode(ids) == c.text);
        }
    }
    CHECK(failures == 0);
}

// `pre_tokenizer` replaces the one tokenizer.json's regex names, as import-tokenizer --pre does.
Tokenizer stored_vocabulary(const std::string& vocabulary, const std::string& pre_tokenizer = "") {
    HfTokenizerFiles files;
    files.tokenizer_json = stored(vocabulary + ".tokenizer.json").string();
    files.tokenizer_config = stored(vocabulary + ".tokenizer_config.json").string();
    files.pre_tokenizer = pre_tokenizer;
    const HfTokenizer imported = read_hf_tokenizer(files);
    // Through a vocab-only GGUF file, as users meet it.
    const fs::path gguf = test::unique_temp_path("vocab", ".gguf");
    write_vocab_only_gguf(imported.data, imported.architecture, vocabulary, gguf.string());
    Tokenizer tokenizer = load_tokenizer(gguf.string());
    fs::remove(gguf);
    return tokenizer;
}

// The full vocabulary scripts/crosscheck/tokenize.sh wrote, or empty.
std::string full_vocabulary_fixture(const std::string& vocabulary) {
    fs::path dir;
    if (const char* fixtures = std::getenv("LPU_FIXTURES")) {
        dir = fixtures;
    } else if (const char* cache = std::getenv("XDG_CACHE_HOME")) {
        dir = fs::path(cache) / "lpu-runtime" / "fixtures";
    } else if (const char* home = std::getenv("HOME")) {
        dir = fs::path(home) / ".cache" / "lpu-runtime" / "fixtures";
    }
    const fs::path path = dir / (vocabulary + "-vocab.gguf");
    return !dir.empty() && fs::exists(path) ? path.string() : std::string();
}

}  // namespace

TEST_CASE("tokenizer cross-check: Llama 3 ids are llama.cpp's on 2,000+ strings", "[tokenizer][crosscheck]") {
    const auto cases = cases_of("llama3");
    REQUIRE(cases.size() >= 2000);
    const Tokenizer tokenizer = stored_vocabulary("llama3");
    CHECK(tokenizer.model() == TokenizerModel::BytePairs);
    CHECK(tokenizer.adds_bos());
    check_cases(tokenizer, cases);
}

TEST_CASE("tokenizer cross-check: Qwen ids are llama.cpp's on 2,000+ strings", "[tokenizer][crosscheck]") {
    const auto cases = cases_of("qwen3");
    REQUIRE(cases.size() >= 2000);
    const Tokenizer tokenizer = stored_vocabulary("qwen3");
    CHECK_FALSE(tokenizer.adds_bos());
    check_cases(tokenizer, cases);
}

TEST_CASE("tokenizer cross-check: GPT-2's pre-tokenizer gives llama.cpp's ids on 2,000+ strings",
          "[tokenizer][crosscheck]") {
    const auto cases = cases_of("llama3-gpt2");
    REQUIRE(cases.size() >= 2000);
    // The splits differ from Llama 3's (e.g. "'S" and "1'2"), so these cases check gpt-2's own rules.
    check_cases(stored_vocabulary("llama3", "gpt-2"), cases);
}

TEST_CASE("tokenizer cross-check: the full vocabularies, when the cross-check left them in the cache",
          "[tokenizer][crosscheck]") {
    for (const std::string vocabulary : {"llama3", "qwen3", "llama3-gpt2"}) {
        const std::string fixture = full_vocabulary_fixture(vocabulary);
        if (fixture.empty()) {
            WARN("skipped: " << vocabulary << "-vocab.gguf not in the fixture cache (scripts/crosscheck-llama-cpp "
                                              "tokenize writes it)");
            continue;
        }
        check_cases(load_tokenizer(fixture), cases_of(vocabulary));
    }
}

}  // namespace lpu::model
