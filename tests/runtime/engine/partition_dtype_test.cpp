// Partitions of F16 and Q8_0 models, with every all-reduce algorithm on a
// ring, a torus and a Dragonfly rack, compute what one chip computes: the same
// greedy token at every position and logits within 1e-4 of one chip's
// (relative to the largest), as for F32 (plan_model_test.cpp). Q8_0 shards
// keep the 32-value blocks whole, so each rank quantizes the same blocks one
// chip does; only the order of the all-reduce's float additions differs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "launch/inprocess/in_process_transport.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/temp_path.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

namespace {

constexpr int positions = 8;

// 9 heads (3 KV heads) of 32: tp 8 and tp 9 both split them, Q8_0 blocks whole.
model::SyntheticShape shape(kernels::DType dtype) {
    model::SyntheticShape shape;
    shape.dim = 288;
    shape.n_layers = 2;
    shape.n_heads = 9;
    shape.n_kv_heads = 3;
    shape.hidden_dim = 864;
    shape.vocab_size = 512;
    shape.context_length = positions;
    shape.dtype = dtype;
    shape.seed = 5;
    return shape;
}

const std::vector<int> tokens = {1, 300, 301, 40, 17, 250, 99, 3};

using Logits = std::vector<std::vector<float>>;

template <class Model>
Logits logits_of(Model& model) {
    Logits out;
    for (int p = 0; p < positions; ++p) {
        const auto logits = model.forward(tokens[static_cast<std::size_t>(p)], p);
        out.emplace_back(logits.begin(), logits.end());
    }
    return out;
}

Logits partitioned_logits(const model::ModelFile& file, const std::string& topology_spec, int tp,
                          const std::string& collective) {
    const auto topology = topology::topology_from_spec(topology_spec);
    const sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    compiler::CompileOptions options;
    options.tp = tp;
    options.pp = 1;
    options.positions = positions;
    options.collective_algorithm = collective;
    auto plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file),
                                       {&topology, topology_spec, &spec}, options);
    launch::inprocess::InProcessTransport transport;
    engine::PlanModel model(std::move(plan), file, spec, transport);
    return logits_of(model);
}

struct Case {
    std::string topology;
    int tp = 1;
    std::string collective;
};

}  // namespace

TEST_CASE("F16 and Q8_0 partitions with every all-reduce algorithm compute what one chip does",
          "[engine][plan][precision]") {
    const kernels::DType dtype = GENERATE(kernels::DType::F16, kernels::DType::Q8_0);
    const auto path = test::unique_temp_path("partition-dtype", ".gguf");
    model::write_synthetic_model(shape(dtype), path.string());
    const auto file = model::open_model(path.string());
    engine::SingleChipModel one_chip(*file, sim::chip_spec_preset("tsp-v1"), positions);
    const Logits expected = logits_of(one_chip);

    // The hierarchical algorithm needs a Dragonfly; the torus algorithm every
    // chip of the grid in chip id order, which the compiler's TP group is on a
    // ring (a 1-D torus) but not on torus:3x3, where placement walks from
    // neighbour to neighbour (0, 1, 2, 5, ...).
    const std::vector<Case> cases = {
        {"ring:8", 8, "ring"},          {"ring:8", 8, "direct"},
        {"ring:8", 8, "halving_doubling"}, {"ring:8", 8, "torus"},
        {"torus:3x3", 9, "ring"},       {"torus:3x3", 9, "direct"},
        {"torus:3x3", 9, "halving_doubling"}, {"dragonfly:1", 8, "hierarchical"}};
    for (const Case& c : cases) {
        CAPTURE(kernels::dtype_name(dtype), c.topology, c.tp, c.collective);
        const Logits got = partitioned_logits(*file, c.topology, c.tp, c.collective);
        for (int p = 0; p < positions; ++p) {
            const auto& want = expected[static_cast<std::size_t>(p)];
            const auto& have = got[static_cast<std::size_t>(p)];
            double error = 0.0, norm = 0.0;
            for (std::size_t i = 0; i < want.size(); ++i) {
                error = std::max(error, std::abs(static_cast<double>(have[i]) - want[i]));
                norm = std::max(norm, std::abs(static_cast<double>(want[i])));
            }
            CAPTURE(p, error, norm);
            CHECK(error <= 1e-4 * norm);
            CHECK(std::max_element(have.begin(), have.end()) - have.begin() ==
                  std::max_element(want.begin(), want.end()) - want.begin());
        }
        CHECK(got == partitioned_logits(*file, c.topology, c.tp, c.collective));  // bitwise repeatable
    }
    std::filesystem::remove(path);
}
