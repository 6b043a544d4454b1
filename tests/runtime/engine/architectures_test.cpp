// The llama variants beyond Llama 2 (qwen2's q/k/v biases and RoPE on halves,
// Llama 3.1's rope_freqs, linear RoPE scaling) on one chip and partitioned:
// every grid gives exactly the one-chip tokens, and the chip is charged for
// the extra work (bias adds, scaled RoPE) by the cost model.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "launch/inprocess/in_process_transport.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/shard_cost.hpp"
#include "runtime/engine/generator.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "runtime/model/tokenizer.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/temp_path.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

namespace {

struct Variant {
    const char* name;
    model::Architecture architecture;
    bool rope_freqs;
    float rope_scale_linear;
    bool tied;
};

const Variant kVariants[] = {
    {"qwen2", model::Architecture::Qwen2, false, 0.0f, false},
    {"qwen2, tied output, linear RoPE scaling", model::Architecture::Qwen2, false, 2.0f, true},
    {"llama with Llama 3.1 rope_freqs", model::Architecture::Llama, true, 0.0f, false},
    {"llama with linear RoPE scaling", model::Architecture::Llama, false, 4.0f, true},
};

model::SyntheticShape shape_of(const Variant& variant) {
    model::SyntheticShape shape;  // GQA: 4 heads, 2 KV heads
    shape.architecture = variant.architecture;
    shape.tokenizer = model::TokenizerModel::BytePairs;
    shape.rope_freqs = variant.rope_freqs;
    shape.rope_scale_linear = variant.rope_scale_linear;
    shape.tied_output = variant.tied;
    shape.seed = 11;
    return shape;
}

class SynthesizedModel {
public:
    explicit SynthesizedModel(const model::SyntheticShape& shape) : path_(test::unique_temp_path("arch", ".gguf")) {
        model::write_synthetic_model(shape, path_.string());
        file_ = model::open_model(path_.string());
    }
    ~SynthesizedModel() { std::filesystem::remove(path_); }
    const model::ModelFile& file() const { return *file_; }

private:
    std::filesystem::path path_;
    std::unique_ptr<model::ModelFile> file_;
};

std::vector<int> greedy_tokens(engine::LanguageModel& language_model, const model::Tokenizer& tokenizer) {
    engine::GenerationOptions options;
    options.prompt = "once upon";
    options.steps = 48;
    options.sampling.temperature = 0.0f;
    options.ignore_eos = true;
    return engine::generate(language_model, tokenizer, options).tokens;
}

}  // namespace

TEST_CASE("llama variants: every TP x PP grid gives exactly the one-chip tokens", "[engine][plan][architectures]") {
    const Variant variant = GENERATE(from_range(std::begin(kVariants), std::end(kVariants)));
    CAPTURE(variant.name);
    const SynthesizedModel synthesized(shape_of(variant));
    const auto& file = synthesized.file();
    const model::Tokenizer tokenizer(*file.tokenizer());
    const sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    engine::SingleChipModel single(file, spec, 64);
    const std::vector<int> expected = greedy_tokens(single, tokenizer);
    REQUIRE(expected.size() == 48);  // one token after each position, the prompt's included

    for (const auto& [tp, pp] : std::vector<std::pair<int, int>>{{2, 1}, {1, 2}, {2, 2}, {4, 1}}) {
        CAPTURE(tp, pp);
        const std::string topology_name = compiler::default_topology_spec(tp * pp);
        const topology::Topology topology = topology::topology_from_spec(topology_name);
        compiler::CompileOptions options;
        options.tp = tp;
        options.pp = pp;
        options.positions = 64;
        launch::inprocess::InProcessTransport transport;
        engine::PlanModel planned(compiler::compile_plan(file.config(), compiler::model_fingerprint(file),
                                                         {&topology, topology_name, &spec}, options),
                                  file, spec, transport);
        CHECK(greedy_tokens(planned, tokenizer) == expected);
    }
}

TEST_CASE("llama variants: bias adds and scaled RoPE are charged by the cost model", "[engine][architectures]") {
    const sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    const auto cycles_at = [&](const model::SyntheticShape& shape) {
        const SynthesizedModel synthesized(shape);
        engine::SingleChipModel single(synthesized.file(), spec, 16);
        single.forward(1, 3);
        return single.last_forward_cycles();
    };
    model::SyntheticShape plain;
    plain.tokenizer = model::TokenizerModel::BytePairs;
    const SynthesizedModel reference(plain);
    const model::ModelConfig& config = reference.file().config();
    const sim::CostModel cost(spec);
    const std::int64_t layers = config.n_layers;

    model::SyntheticShape qwen2 = plain;
    qwen2.architecture = model::Architecture::Qwen2;
    auto qwen2_config = config;
    qwen2_config.qkv_bias = true;
    CHECK(cycles_at(qwen2) - cycles_at(plain) ==
          layers * compiler::qkv_bias_cycles(qwen2_config, cost, config.dim, config.kv_dim()));

    model::SyntheticShape scaled = plain;
    scaled.rope_freqs = true;
    CHECK(cycles_at(scaled) - cycles_at(plain) ==
          layers * cost.vector_op_cycles(sim::VectorOp::Multiply, config.head_dim() / 2));
}

TEST_CASE("llama variants: the biases and frequency factors change the numbers", "[engine][architectures]") {
    // The same weights with and without a variant's feature must not give the
    // same logits: the feature is really applied.
    const sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    const auto logits_of = [&](const model::SyntheticShape& shape) {
        const SynthesizedModel synthesized(shape);
        engine::SingleChipModel single(synthesized.file(), spec, 16);
        for (int position = 0; position < 5; ++position) single.forward(300 + position, position);
        const auto logits = single.forward(7, 5);
        return std::vector<float>(logits.begin(), logits.end());
    };
    model::SyntheticShape plain;
    plain.tokenizer = model::TokenizerModel::BytePairs;
    model::SyntheticShape with_factors = plain;
    with_factors.rope_freqs = true;
    model::SyntheticShape with_scale = plain;
    with_scale.rope_scale_linear = 4.0f;
    const auto base = logits_of(plain);
    CHECK(logits_of(with_factors) != base);
    CHECK(logits_of(with_scale) != base);
}
