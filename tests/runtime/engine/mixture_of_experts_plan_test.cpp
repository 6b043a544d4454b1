// A mixture of experts on compiled plans: each TP rank holds its slice of every
// expert and routes the token itself (runtime/compiler/lowering.cpp,
// expert_feed_forward_block). One chip's plan forms one chip's sums bit for bit;
// every grid its logits to rounding and its choices wherever they are not a
// near-tie, and each stage counts the tokens its experts saw.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numeric>
#include <set>
#include <vector>

#include "runtime/engine/sampler.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/runtime/engine/compiled_run.hpp"
#include "tests/support/temp_path.hpp"

using namespace lpu;

namespace {

constexpr int kPositions = 24;

// The top logit's lead over the runner-up.
double margin(const std::vector<float>& logits) {
    std::vector<float> sorted = logits;
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    return static_cast<double>(sorted[0]) - sorted[1];
}

struct Reference {
    std::vector<int> tokens;                    // the greedy sequence, token 1 first
    std::vector<std::vector<float>> logits;     // at each position
};

Reference one_chip(const model::ModelFile& file) {
    engine::SingleChipModel chip(file, sim::chip_spec_preset("tsp-v1"), kPositions);
    Reference reference{{1}, {}};
    for (int p = 0; p < kPositions; ++p) {
        const auto logits = chip.forward(reference.tokens.back(), p);
        reference.logits.emplace_back(logits.begin(), logits.end());
        reference.tokens.push_back(engine::argmax(logits));
    }
    return reference;
}

}  // namespace

TEST_CASE("a mixture of experts on a plan: one chip's sums on one chip, its choices on every grid",
          "[engine][plan][moe]") {
    const auto dtype = GENERATE(kernels::DType::F32, kernels::DType::Q8_0);
    CAPTURE(kernels::dtype_name(dtype));
    model::SyntheticShape shape;
    shape.dim = 256;  // head_dim 32: Q8_0 blocks of wo stay whole at tp 8
    shape.n_heads = 8;  // tp 8 takes a head each
    shape.n_kv_heads = 4;
    shape.hidden_dim = 256;
    shape.n_layers = 4;
    shape.experts = 8;
    shape.experts_used = 2;
    shape.dtype = dtype;
    const auto path = test::unique_temp_path("moe-plan", ".gguf");
    model::write_synthetic_model(shape, path.string());
    const auto file = model::open_model(path.string());
    const Reference reference = one_chip(*file);

    // 8 chips: tp 4 x pp 2, and tp 8 (every expert cut in 8). Teacher-forced
    // with one chip's tokens, so every grid is asked the same questions.
    const auto [tp, pp] = GENERATE(table<int, int>({{1, 1}, {2, 1}, {1, 2}, {4, 2}, {8, 1}}));
    CAPTURE(tp, pp);
    test::CompiledRun run(*file, tp, pp, kPositions);
    for (int p = 0; p < kPositions; ++p) {
        CAPTURE(p);
        const auto logits = run.model->forward(reference.tokens[static_cast<std::size_t>(p)], p);
        const auto& want = reference.logits[static_cast<std::size_t>(p)];
        if (tp == 1) {
            // One rank sums the slots as one chip does: the same bits, stage after stage.
            CHECK(std::equal(logits.begin(), logits.end(), want.begin(), want.end()));
            continue;
        }
        // Across ranks the all-reduce adds in another order: F32 logits differ
        // by rounding. Q8_0 products quantise their input vector to 8 bits per
        // block, where a rounding difference can move a value by one step of
        // 1/127 of its block (and so a routing choice that was a near-tie), so
        // they differ by up to about that. The choice is the same wherever
        // one chip's is not a near-tie within the difference.
        const double tolerance = dtype == kernels::DType::F32 ? 1e-4 : 1e-2;
        const auto [error, norm] = test::logits_difference(logits, want);
        CHECK(error <= tolerance * norm);
        const int expected = reference.tokens[static_cast<std::size_t>(p) + 1];
        if (engine::argmax(logits) != expected) CHECK(margin(want) <= 2 * error);
    }

    // Each layer routed every token to experts_used experts, counted once per
    // stage (on TP rank 0), and every layer is some stage's.
    std::set<int> layers;
    for (const auto& chip : run.model->chips()) {
        if (chip->program().role.tp_rank != 0) continue;
        for (const auto& [layer, load] : chip->expert_load()) {
            CHECK(layers.insert(layer).second);
            CHECK(load.size() == 8);
            CHECK(std::accumulate(load.begin(), load.end(), std::int64_t{0}) == std::int64_t{kPositions} * 2);
        }
    }
    CHECK(layers.size() == 4);
    std::filesystem::remove(path);
}
