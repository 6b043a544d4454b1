// Compiled plans executed in one process: every partition gives the tokens of
// one chip (reference A for stories260K) and logits within 1e-4 of one chip
// for a GQA synthetic model, bitwise the same run after run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "launch/inprocess/in_process_transport.hpp"
#include "plan/retime.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/engine/generator.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "runtime/model/tokenizer.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/runtime/engine/compiled_run.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/reference_outputs.hpp"
#include "tests/support/temp_path.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

using lpu::test::CompiledRun;

TEST_CASE("stories260K on every TP x PP grid, greedy, 256 steps: reference A", "[engine][plan][reference]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    const auto [tp, pp] = GENERATE(table<int, int>({{1, 1}, {2, 1}, {4, 1}, {8, 1}, {1, 5}, {2, 5}, {4, 2}, {8, 5}}));
    CAPTURE(tp, pp);
    CompiledRun run(*file, tp, pp, 256);
    CHECK(run.model->chips().size() == static_cast<std::size_t>(tp * pp));
    engine::GenerationOptions options;
    options.steps = 256;
    options.sampling.temperature = 0.0f;
    const auto result = engine::generate(*run.model, tokenizer, options);
    CHECK(result.tokens == test::kReferenceTokensA);
    CHECK(result.text == test::kReferenceTextA);
    CHECK(result.stats.emulated_cycles > 0);
    CHECK(run.transport.pending() == 0);
}

TEST_CASE("tp 8 shares the 4 KV heads and splits hidden 172 unevenly", "[engine][plan]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    CompiledRun run(*file, 8, 1, 64);
    std::vector<std::uint32_t> hidden_sizes;
    for (const auto& runner : run.model->chips()) {
        const auto& role = runner->program().role;
        CHECK(role.heads.last - role.heads.first == 1);
        CHECK(role.kv_heads.last - role.kv_heads.first == 1);
        CHECK(role.kv_heads.first == role.heads.first / 2);
        hidden_sizes.push_back(role.hidden_columns.last - role.hidden_columns.first);
    }
    CHECK(*std::min_element(hidden_sizes.begin(), hidden_sizes.end()) == 21);
    CHECK(*std::max_element(hidden_sizes.begin(), hidden_sizes.end()) == 22);
}

TEST_CASE("compiler-test synthetic model: every partition within 1e-4 of one chip, bitwise repeatable",
          "[engine][plan]") {
    const auto path = test::unique_temp_path("compiler-test", ".gguf");
    model::write_synthetic_model(model::synthetic_preset("compiler-test"), path.string());
    const auto file = model::open_model(path.string());
    const int positions = 8;
    const std::vector<int> tokens = {1, 300, 301, 4000, 17, 2500, 99, 3};

    engine::SingleChipModel reference(*file, sim::chip_spec_preset("tsp-v1"), positions);
    std::vector<std::vector<float>> expected;
    for (int p = 0; p < positions; ++p) {
        const auto logits = reference.forward(tokens[static_cast<std::size_t>(p)], p);
        expected.emplace_back(logits.begin(), logits.end());
    }
    // tp 8 x pp 2 puts a stage on each node of a rack: x crosses between them
    // in blocks and is all-gathered (runtime/compiler/stage_hop.hpp).
    const auto [tp, pp] = GENERATE(table<int, int>({{1, 1}, {2, 1}, {8, 1}, {1, 8}, {2, 4}, {4, 2}, {8, 2}}));
    CAPTURE(tp, pp);
    std::vector<std::vector<float>> first;
    for (int repeat = 0; repeat < 2; ++repeat) {
        CompiledRun run(*file, tp, pp, positions);
        for (int p = 0; p < positions; ++p) {
            const auto logits = run.model->forward(tokens[static_cast<std::size_t>(p)], p);
            const auto& want = expected[static_cast<std::size_t>(p)];
            const auto [error, norm] = test::logits_difference(logits, want);
            CHECK(error <= 1e-4 * norm);
            if (repeat == 0) {
                first.emplace_back(logits.begin(), logits.end());
            } else {
                CHECK(std::equal(logits.begin(), logits.end(), first[static_cast<std::size_t>(p)].begin()));
            }
        }
    }
    std::filesystem::remove(path);
}

TEST_CASE("a one-chip plan costs what the one-chip model charges, give or take attention's linear fit",
          "[engine][plan]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    engine::SingleChipModel single(*file, sim::chip_spec_preset("tsp-v1"), 256);
    CompiledRun run(*file, 1, 1, 256);
    for (int position : {0, 100, 255}) {
        single.forward(1, position);
        run.model->forward(1, position);
        const double ratio = static_cast<double>(run.model->last_forward_cycles()) /
                             static_cast<double>(single.last_forward_cycles());
        CAPTURE(position, ratio);
        CHECK(ratio >= 0.99);
        CHECK(ratio <= 1.01);
    }
}

namespace {

std::unique_ptr<engine::PlanModel> batched(const model::ModelFile& file, int tp, int pp, int batch,
                                           const topology::Topology& topology, const sim::ChipSpec& spec,
                                           collectives::Transport& transport) {
    compiler::CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.batch = batch;
    options.positions = 256;
    auto plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file),
                                       {&topology, topology.info().name, &spec}, options);
    return std::make_unique<engine::PlanModel>(std::move(plan), file, spec, transport);
}

}  // namespace

TEST_CASE("a batch of sequences: each one generates what it would alone", "[engine][plan][batch]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    const auto topology = topology::topology_from_spec("fc:8");
    const auto spec = sim::chip_spec_preset("tsp-v1");
    launch::inprocess::InProcessTransport transport;

    SECTION("greedy: every sequence is reference A") {
        auto model = batched(*file, 2, 4, 3, topology, spec, transport);
        engine::GenerationOptions options;
        options.sampling.temperature = 0.0f;
        const auto results = engine::generate_batch(*model, tokenizer, options);
        REQUIRE(results.size() == 3);
        for (const auto& result : results) CHECK(result.tokens == test::kReferenceTokensA);
    }
    SECTION("sampling: sequence b draws with seed + b") {
        auto model = batched(*file, 1, 5, 4, topology, spec, transport);
        engine::GenerationOptions options;
        options.steps = 64;
        options.sampling.temperature = 0.9f;
        options.sampling.seed = 10;
        const auto results = engine::generate_batch(*model, tokenizer, options);
        for (int b = 0; b < 4; ++b) {
            CAPTURE(b);
            engine::SingleChipModel alone(*file, spec, 256);
            auto single_options = options;
            single_options.sampling.seed = 10 + static_cast<std::uint64_t>(b);
            CHECK(results[static_cast<std::size_t>(b)].tokens == engine::generate(alone, tokenizer, single_options).tokens);
        }
    }
}

TEST_CASE("pipeline micro-batching: batch = stages gives at least 0.8 x PP the throughput of batch 1",
          "[engine][plan][batch]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    const auto topology = topology::topology_from_spec("dragonfly:1");
    const auto spec = sim::chip_spec_preset("tsp-v1");
    const auto [tp, pp] = GENERATE(table<int, int>({{1, 5}, {2, 5}, {4, 2}}));
    CAPTURE(tp, pp);
    const auto throughput = [&](int batch) {
        launch::inprocess::InProcessTransport transport;
        auto model = batched(*file, tp, pp, batch, topology, spec, transport);
        engine::GenerationOptions options;
        options.steps = 32;
        options.sampling.temperature = 0.0f;
        return engine::generate_batch(*model, tokenizer, options).front().stats.emulated_tokens_per_second();
    };
    const double one = throughput(1), full = throughput(pp);
    const double speedup = full / one;
    CAPTURE(one, full, speedup);
    CHECK(speedup >= 0.8 * pp);
    CHECK(speedup <= pp + 1e-9);
}
