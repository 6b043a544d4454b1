// The architectures cross-check against llama.cpp (scripts/crosscheck/architectures.sh),
// replayed without npm: each stored variant is synthesized again (the same flags give
// the same file) and fed llama.cpp's greedy tokens; at every position where the top two
// logits are clearly apart, lpu's choice must be llama.cpp's next token.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/temp_path.hpp"

using namespace lpu;

namespace {

// The `lpu model synth` flags the cross-check used, on the "tiny" preset.
model::SyntheticShape shape_from_flags(const std::string& flags) {
    model::SyntheticShape shape = model::synthetic_preset("tiny");
    std::istringstream words(flags);
    for (std::string flag; words >> flag;) {
        if (flag == "--rope-freqs") {
            shape.rope_freqs = true;
            continue;
        }
        if (flag == "--tied") {
            shape.tied_output = true;
            continue;
        }
        std::string value;  // every other flag takes one
        REQUIRE(words >> value);
        if (flag == "--arch") {
            shape.architecture = value == "qwen2" ? model::Architecture::Qwen2 : model::Architecture::Llama;
            if (value == "qwen2") shape.tokenizer = model::TokenizerModel::BytePairs;  // the CLI's default for qwen2
        } else if (flag == "--tokenizer") {
            shape.tokenizer = value == "bpe" ? model::TokenizerModel::BytePairs : model::TokenizerModel::SentencePiece;
        } else if (flag == "--rope-scale") {
            shape.rope_scale_linear = std::stof(value);
        } else if (flag == "--kv-heads") {
            shape.n_kv_heads = std::stoi(value);
        } else if (flag == "--seed") {
            shape.seed = std::stoull(value);
        } else {
            FAIL("unknown flag in tests/data/architectures.json: " << flag);
        }
    }
    return shape;
}

}  // namespace

TEST_CASE("architectures cross-check: lpu picks llama.cpp's greedy tokens for every llama variant",
          "[engine][architectures][crosscheck]") {
    std::ifstream in(lpu::test::source_dir() / "tests" / "data" / "architectures.json");
    REQUIRE(in.good());
    const auto variants = nlohmann::json::parse(in);
    REQUIRE(variants.size() >= 6);
    for (const auto& variant : variants) {
        CAPTURE(variant["name"].get<std::string>());
        const auto path = test::unique_temp_path("arch-crosscheck", ".gguf");
        model::write_synthetic_model(shape_from_flags(variant["flags"]), path.string());
        const auto file = model::open_model(path.string());
        engine::SingleChipModel chip(*file, sim::chip_spec_preset("tsp-v1"), 64);

        std::vector<int> sequence = variant["prompt"].get<std::vector<int>>();
        const std::size_t prompt = sequence.size();
        const auto expected = variant["llama_cpp"].get<std::vector<int>>();
        sequence.insert(sequence.end(), expected.begin(), expected.end());
        int compared = 0, mismatched = 0;
        for (std::size_t p = 0; p + 1 < sequence.size(); ++p) {
            const auto logits = chip.forward(sequence[p], static_cast<int>(p));
            if (p + 1 < prompt) continue;
            std::vector<float> sorted(logits.begin(), logits.end());
            std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
            if (sorted[0] - sorted[1] < 1e-3f) continue;  // too close to call between two implementations
            ++compared;
            const int chosen = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
            if (chosen != sequence[p + 1]) ++mismatched;
        }
        CHECK(compared >= static_cast<int>(expected.size()) - 2);
        CHECK(mismatched == 0);
        std::filesystem::remove(path);
    }
}
