// The chips of one process on several host threads (runtime/engine/
// chip_scheduler.hpp): the TP ranks of a stage overlap, and every logit is
// bit for bit what one thread running the chips in turn computes; a plan that
// waits for a message no chip sends is still reported as a deadlock.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <vector>

#include "launch/inprocess/in_process_transport.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/engine/chip_scheduler.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/temp_path.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

namespace {

// Large enough per chip to run in parallel (over 1 MiB of weights each at tp 4 x pp 2).
model::SyntheticShape parallel_sized_model() {
    model::SyntheticShape shape;
    shape.dim = 256;
    shape.n_layers = 4;
    shape.n_heads = 8;
    shape.n_kv_heads = 4;
    shape.hidden_dim = 768;
    shape.vocab_size = 2048;
    shape.context_length = 64;
    return shape;
}

struct Logits {
    std::vector<std::vector<float>> by_position;
    bool parallel = false;
};

Logits run_plan(const model::ModelFile& file, int host_threads, int tp, int pp, int batch) {
    const std::string system = compiler::default_topology_spec(tp * pp);
    const auto topology = topology::topology_from_spec(system);
    const auto spec = sim::chip_spec_preset("tsp-v1");
    compiler::CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.batch = batch;
    options.positions = 16;
    auto plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file), {&topology, system, &spec},
                                       options);
    launch::inprocess::InProcessTransport transport;
    kernels::ThreadPool host(host_threads);
    engine::PlanModel model(std::move(plan), file, spec, transport, {}, host);
    Logits logits{{}, model.chips_in_parallel()};
    std::vector<int> tokens(static_cast<std::size_t>(batch));
    for (int position = 0; position < 8; ++position) {
        for (int b = 0; b < batch; ++b) tokens[static_cast<std::size_t>(b)] = (position * 37 + b * 11) % 2000 + 3;
        for (const auto& values : model.forward_batch(tokens, std::vector<int>(tokens.size(), position))) {
            logits.by_position.emplace_back(values.begin(), values.end());
        }
    }
    CHECK(transport.pending() == 0);
    return logits;
}

bool same_bits(const Logits& a, const Logits& b) {
    if (a.by_position.size() != b.by_position.size()) return false;
    for (std::size_t i = 0; i < a.by_position.size(); ++i) {
        const auto& x = a.by_position[i];
        const auto& y = b.by_position[i];
        if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) != 0) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("chips on 1, 2 and 3 host threads give the same logits bit for bit", "[engine][plan]") {
    const auto path = test::unique_temp_path("parallel-chips", ".gguf");
    model::write_synthetic_model(parallel_sized_model(), path.string());
    const auto file = model::open_model(path.string());
    const auto [tp, pp, batch] = GENERATE(table<int, int, int>({{4, 2, 1}, {2, 2, 2}, {8, 1, 1}}));
    CAPTURE(tp, pp, batch);
    const Logits one_thread = run_plan(*file, 1, tp, pp, batch);
    CHECK_FALSE(one_thread.parallel);
    for (int threads : {2, 3}) {
        CAPTURE(threads);
        const Logits threaded = run_plan(*file, threads, tp, pp, batch);
        CHECK(threaded.parallel);
        CHECK(same_bits(one_thread, threaded));
    }
    std::filesystem::remove(path);
}

TEST_CASE("small chips run one after the other on one thread", "[engine][plan]") {
    const auto path = test::unique_temp_path("small-chips", ".gguf");
    model::write_synthetic_model(model::synthetic_preset("tiny"), path.string());
    const auto file = model::open_model(path.string());
    CHECK_FALSE(run_plan(*file, 2, 2, 1, 1).parallel);  // a step of such a chip costs about a hand-over
    std::filesystem::remove(path);
}

TEST_CASE("a chip waiting for a message no chip of the process sends is a deadlock, named, on any thread count",
          "[engine][plan]") {
    const auto path = test::unique_temp_path("deadlock-chips", ".gguf");
    model::write_synthetic_model(parallel_sized_model(), path.string());
    const auto file = model::open_model(path.string());
    const auto topology = topology::topology_from_spec("fc:2");
    const auto spec = sim::chip_spec_preset("tsp-v1");
    compiler::CompileOptions options;
    options.tp = 2;
    options.pp = 1;
    options.positions = 16;
    const plan::Plan plan = compiler::compile_plan(file->config(), compiler::model_fingerprint(*file),
                                                   {&topology, "fc:2", &spec}, options);
    // Chip 1 alone, told that it is all there is: its first receive (from chip 0) can never come.
    kernels::ThreadPool kernels(1);
    engine::ChipRunner chip(plan, 1, *file, spec, kernels);
    engine::ChipRunner* const chips[] = {&chip};
    for (int threads : {1, 2}) {
        CAPTURE(threads);
        launch::inprocess::InProcessTransport transport;
        kernels::ThreadPool host(threads);
        const int tokens[] = {5}, positions[] = {0};
        chip.begin_step(tokens, positions);
        CHECK_THROWS_WITH(engine::run_chips(chips, transport, &host, true),
                          Catch::StartsWith("the plan deadlocks: chip 1 waits at instruction"));
    }
    std::filesystem::remove(path);
}
