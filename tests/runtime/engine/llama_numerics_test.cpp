// lpu against llama.cpp on quantised models and on a Mixtral-shaped mixture
// of experts, without npm: the synthetic models of scripts/crosscheck/numerics.mjs
// are rebuilt here from their shape and seed (lpu model synth, then the
// quantiser of lpu model quantize), run teacher-forced on one chip, and
// compared with llama.cpp's top-1 and top-2 logits recorded by that script
// (tests/data/crosscheck/llama_numerics.json).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/model_quantizer.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/temp_path.hpp"

using namespace lpu;

namespace {

nlohmann::json recorded() {
    const auto path = lpu::test::source_dir() / "tests" / "data" / "crosscheck" / "llama_numerics.json";
    std::ifstream in(path);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

model::SyntheticShape shape_of(const nlohmann::json& shape, std::uint64_t seed) {
    model::SyntheticShape synthetic;
    synthetic.dim = shape.at("dim");
    synthetic.n_layers = shape.at("layers");
    synthetic.n_heads = shape.at("heads");
    synthetic.n_kv_heads = shape.at("kv_heads");
    synthetic.hidden_dim = shape.at("hidden");
    synthetic.vocab_size = shape.at("vocab");
    synthetic.context_length = shape.at("context");
    synthetic.seed = seed;
    synthetic.experts = shape.value("experts", 1);
    synthetic.experts_used = shape.value("experts_used", 1);
    return synthetic;
}

}  // namespace

TEST_CASE("lpu's top-1 matches llama.cpp's recorded one on every quantised type and on a mixture of experts",
          "[engine][crosscheck]") {
    const auto data = recorded();
    const double margin_threshold = data.at("margin_threshold");
    // Both engines quantise activations to 8 bits; a rounding that float-order
    // differences flip (1e-7) changes what follows by the activation noise
    // itself, up to ~1% of the logits' scale here: logits agree to this much.
    constexpr double kLogitTolerance = 0.05;
    std::map<std::string, std::filesystem::path> f32_models;  // by shape and seed
    const auto dir = test::unique_temp_path("llama-numerics");
    std::filesystem::create_directories(dir);
    int compared = 0, compared_experts = 0;
    for (const auto& run : data.at("runs")) {
        const std::string type = run.at("type");
        const std::uint64_t seed = run.at("seed");
        const nlohmann::json& shape = run.contains("shape") ? run.at("shape") : data.at("shape");
        INFO(type << " seed " << seed << " " << shape.dump());
        const std::string key = shape.dump() + " seed " + std::to_string(seed);
        if (!f32_models.contains(key)) {
            f32_models[key] = dir / ("model" + std::to_string(f32_models.size()) + "-f32.gguf");
            model::write_synthetic_model(shape_of(shape, seed), f32_models[key].string());
        }
        auto path = f32_models[key];
        if (type != "f32") {
            path.replace_filename(path.stem().string() + "-" + type + ".gguf");
            model::quantize_model_file(f32_models[key].string(), path.string(), {model::quantize_recipe(type)});
        }
        const auto file = model::open_model(path.string());
        const std::vector<int> tokens = run.at("tokens");
        engine::SingleChipModel chip_model(*file, sim::chip_spec_preset("tsp-v1"), static_cast<int>(tokens.size()));
        const auto& llama = run.at("llama_top2");
        for (std::size_t p = 0; p < tokens.size(); ++p) {
            INFO("position " << p);
            const auto logits = chip_model.forward(tokens[p], static_cast<int>(p));
            const int top1 = llama[p][0], top2 = llama[p][2];
            const double logit1 = llama[p][1], logit2 = llama[p][3];
            CHECK(std::abs(logits[static_cast<std::size_t>(top1)] - logit1) <= kLogitTolerance);
            CHECK(std::abs(logits[static_cast<std::size_t>(top2)] - logit2) <= kLogitTolerance);
            if (logit1 - logit2 <= margin_threshold) continue;
            ++compared;
            if (shape.contains("experts")) ++compared_experts;
            const auto ours = std::max_element(logits.begin(), logits.end()) - logits.begin();
            CHECK(ours == top1);
        }
    }
    std::filesystem::remove_all(dir);
    CHECK(compared > 1500);  // most positions are decided by more than the margin
    CHECK(compared_experts > 100);  // of the mixture of experts' 2 x 64
}
