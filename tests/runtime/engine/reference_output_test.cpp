// stories260K on one emulated LPU reproduces the llama2.c reference outputs.
#include <catch2/catch.hpp>

#include "runtime/engine/generator.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/reference_outputs.hpp"

using namespace lpu;

namespace {
engine::GenerationResult greedy(const model::ModelFile& file, const model::Tokenizer& tokenizer,
                                const std::string& prompt, int steps) {
    engine::SingleChipModel chip_model(file, sim::chip_spec_preset("tsp-v1"), 512);
    engine::GenerationOptions options;
    options.prompt = prompt;
    options.steps = steps;
    options.sampling.temperature = 0.0f;
    return engine::generate(chip_model, tokenizer, options);
}
}  // namespace

TEST_CASE("stories260K GGUF, greedy, 256 steps: reference A", "[engine][reference]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    const auto result = greedy(*file, tokenizer, "", 256);
    CHECK(result.prompt_tokens == std::vector<int>{1});
    CHECK(result.tokens == test::kReferenceTokensA);
    CHECK(result.text == test::kReferenceTextA);
    CHECK(result.stats.positions == 256);
    CHECK(result.stats.emulated_cycles > 0);
}

TEST_CASE("stories260K llama2.c checkpoint with tok512: reference A", "[engine][reference]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.bin");
    LPU_REQUIRE_SHARED_MODEL(tokenizer_path, "tok512.bin");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(model::read_llama2c_tokenizer(tokenizer_path, file->config().vocab_size));
    const auto result = greedy(*file, tokenizer, "", 256);
    CHECK(result.tokens == test::kReferenceTokensA);
    CHECK(result.text == test::kReferenceTextA);
}

TEST_CASE("stories260K with the prompt 'Once upon a time', 64 steps: reference B", "[engine][reference]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    const auto result = greedy(*file, tokenizer, "Once upon a time", 64);
    CHECK(result.prompt_tokens == test::kPromptTokensOnceUponATime);
    CHECK(result.tokens == std::vector<int>(test::kReferenceTokensA.begin(), test::kReferenceTokensA.begin() + 64));
    CHECK(result.text == test::kReferenceTextB);
}
