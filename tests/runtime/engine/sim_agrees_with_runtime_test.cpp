// The simulator's time model is the runtime's. For one compiled plan, the step
// `lpu sim` predicts (study/step_study.hpp: the plan retimed as a whole,
// plan/retime.hpp) takes exactly the cycles the emulated chips account while
// they really run it (runtime/engine/chip_runner.hpp: each chip charging its
// own ops and its waits for the stamped messages it receives), at every
// position, and each chip's matrix-unit cycles are the ones the simulator
// counts for it. Plans that differ by one cycle are told apart.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "launch/inprocess/in_process_transport.hpp"
#include "plan/retime.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "study/step_study.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/temp_path.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

namespace {

constexpr int kContext = 256;

// The steps compared: position 0, and each position at which some op of the
// plan first costs one more cycle than at the position before (attention over
// a growing KV cache, priced in whole cycles), with the position before it,
// since that is where the chips' pricing of a step's position shows. A step's
// timing does not depend on the KV cache's contents, so the steps in between
// need not run.
std::vector<int> positions_where_costs_step(const plan::Plan& plan) {
    std::set<int> positions = {0};
    for (const auto& chip : plan.chips) {
        for (const auto& instruction : chip.instructions) {
            const auto* compute = std::get_if<plan::Compute>(&instruction.body);
            if (!compute || compute->cycles_per_1024_positions == 0) continue;
            int steps = 0;
            for (int position = 1; position < kContext && steps < 2; ++position) {
                if (plan::compute_cycles_at(*compute, position) > plan::compute_cycles_at(*compute, position - 1)) {
                    positions.insert({position - 1, position});
                    ++steps;
                }
            }
        }
    }
    return {positions.begin(), positions.end()};
}

// A plan compiled from the model's shape alone, as `lpu sim` does.
struct Compiled {
    topology::Topology topology;
    sim::ChipSpec spec;
    plan::Plan plan;

    Compiled(const model::ModelFile& file, int tp, int pp, int batch,
             const sim::ChipSpec& chip = sim::chip_spec_preset("tsp-v1"))
        : topology(topology::topology_from_spec(compiler::default_topology_spec(tp * pp))), spec(chip) {
        compiler::CompileOptions options;
        options.tp = tp;
        options.pp = pp;
        options.positions = kContext;
        options.batch = batch;
        plan = compiler::compile_plan(file.config(), compiler::shape_fingerprint(file.config()),
                                      {&topology, compiler::default_topology_spec(tp * pp), &spec}, options);
    }
};

// Runs `executed` with the model's real numbers at those positions and compares
// each step, as the chips accounted it, with what the simulator predicts for
// `predicted` on the same system. Returns the first disagreement, described,
// or nothing when every figure matches.
std::optional<std::string> first_disagreement(const Compiled& compiled, const plan::Plan& executed,
                                              const plan::Plan& predicted, const model::ModelFile& file) {
    launch::inprocess::InProcessTransport transport;
    engine::PlanModel runtime(executed, file, compiled.spec, transport);
    const plan::Retimer retimer(predicted);
    const collectives::FabricTiming fabric(compiled.topology, compiled.spec);
    const std::vector<int> tokens(static_cast<std::size_t>(runtime.batch_size()), 1);
    for (int position : positions_where_costs_step(predicted)) {
        runtime.forward_batch(tokens, std::vector<int>(tokens.size(), position));
        const study::StepStudy step = study::study_step(predicted, retimer, position, fabric, compiled.spec);
        std::ostringstream where;
        where << "position " << position << ": ";
        if (step.latency_cycles != runtime.last_forward_cycles()) {
            where << "latency predicted " << step.latency_cycles << ", run " << runtime.last_forward_cycles();
            return where.str();
        }
        if (step.period_cycles != runtime.last_step_period_cycles()) {
            where << "period predicted " << step.period_cycles << ", run " << runtime.last_step_period_cycles();
            return where.str();
        }
        for (std::size_t c = 0; c < runtime.chips().size(); ++c) {
            const chip::EmulatedChip& chip = runtime.chips()[c]->chip();
            // The chip accounts every cycle of its step: its ops, its idle and its waits.
            if (chip.step_cycles() != chip.step_end_cycle()) {
                where << "chip " << c << " accounts " << chip.step_cycles() << " cycles, its step ends at "
                      << chip.step_end_cycle();
                return where.str();
            }
            const auto matrix_cycles =
                chip.cycles().step_cycles(chip::OpKind::Matmul) + chip.cycles().step_cycles(chip::OpKind::Attention);
            const double predicted_matrix = step.utilisation.chips[c].matrix_unit * static_cast<double>(step.latency_cycles);
            if (std::abs(static_cast<double>(matrix_cycles) - predicted_matrix) > 1e-6 * predicted_matrix + 1e-9) {
                where << "chip " << c << " ran its matrix unit " << matrix_cycles << " cycles, predicted "
                      << predicted_matrix;
                return where.str();
            }
        }
    }
    return std::nullopt;
}

void check_sim_matches_runtime(const model::ModelFile& file, int tp, int pp, int batch,
                               const sim::ChipSpec& spec = sim::chip_spec_preset("tsp-v1")) {
    const Compiled compiled(file, tp, pp, batch, spec);
    const auto disagreement = first_disagreement(compiled, compiled.plan, compiled.plan, file);
    CHECK(disagreement.value_or("") == "");
}

}  // namespace

TEST_CASE("sim predicts the runtime's cycles for stories260K on several grids", "[engine][plan][sim]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const auto [tp, pp] = GENERATE(table<int, int>({{1, 1}, {2, 1}, {4, 2}, {2, 5}}));
    CAPTURE(tp, pp);
    check_sim_matches_runtime(*file, tp, pp, 1);
}

TEST_CASE("sim and runtime both charge the weight install, and agree", "[engine][plan][sim]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    sim::ChipSpec installing = sim::chip_spec_preset("tsp-v1");
    installing.mxm_weight_install_bytes_per_cycle = 700;  // every product install-bound
    const auto [tp, pp, batch] = GENERATE(table<int, int, int>({{1, 1, 1}, {2, 1, 1}, {2, 5, 1}, {1, 5, 5}}));
    CAPTURE(tp, pp, batch);
    check_sim_matches_runtime(*file, tp, pp, batch, installing);
    // The install shows in both: the step is slower than without it.
    const Compiled with(*file, tp, pp, batch, installing), without(*file, tp, pp, batch);
    const plan::Retimer retime_with(with.plan), retime_without(without.plan);
    const collectives::FabricTiming fabric(with.topology, with.spec);
    CHECK(study::study_step(with.plan, retime_with, 0, fabric, with.spec).latency_cycles >
          study::study_step(without.plan, retime_without, 0, fabric, without.spec).latency_cycles);
}

TEST_CASE("sim predicts the runtime's cycles for a batch in the pipeline", "[engine][plan][sim]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    check_sim_matches_runtime(*file, 1, 5, 5);
}

TEST_CASE("sim predicts the runtime's cycles for an INT8 GQA synthetic model", "[engine][plan][sim]") {
    auto shape = model::synthetic_preset("compiler-test");
    shape.dtype = kernels::DType::Q8_0;
    const auto path = test::unique_temp_path("sim-agrees", ".gguf");
    model::write_synthetic_model(shape, path.string());
    const auto file = model::open_model(path.string());
    check_sim_matches_runtime(*file, 2, 4, 1);
    std::filesystem::remove(path);
}

TEST_CASE("sim predicts the runtime's cycles for a qwen2 model with scaled RoPE (bias adds, RoPE scaling)",
          "[engine][plan][sim]") {
    model::SyntheticShape shape;
    shape.architecture = model::Architecture::Qwen2;
    shape.tokenizer = model::TokenizerModel::BytePairs;
    shape.rope_scale_linear = 2.0f;
    const auto path = test::unique_temp_path("sim-agrees-qwen2", ".gguf");
    model::write_synthetic_model(shape, path.string());
    const auto file = model::open_model(path.string());
    check_sim_matches_runtime(*file, 2, 2, 1);
    std::filesystem::remove(path);
}

TEST_CASE("the sim-vs-runtime comparison tells plans one cycle apart", "[engine][plan][sim]") {
    const auto path = test::unique_temp_path("sim-disagrees", ".gguf");
    model::write_synthetic_model(model::synthetic_preset("tiny"), path.string());
    const auto file = model::open_model(path.string());
    const Compiled compiled(*file, 2, 2, 1);

    SECTION("every op one cycle longer on the chips than in the prediction") {
        // The off-by-one a cost model could make: every op of the run costs
        // one cycle more than the simulator counts (and the run's schedule
        // makes room for it, so the plan stays consistent).
        plan::Plan executed = compiled.plan;
        for (auto& chip : executed.chips) {
            std::int64_t shift = 0;
            for (auto& instruction : chip.instructions) {
                instruction.cycle += shift;
                if (auto* compute = std::get_if<plan::Compute>(&instruction.body)) {
                    compute->cycles += 1;
                    shift += 1;
                }
            }
        }
        const auto disagreement = first_disagreement(compiled, executed, compiled.plan, *file);
        REQUIRE(disagreement);
        CHECK_THAT(*disagreement, Catch::StartsWith("position 0: latency predicted"));
    }
    SECTION("attention costing one cycle more per position on the chips") {
        // The chips price attention at the step's position as they run it.
        plan::Plan executed = compiled.plan;
        for (auto& chip : executed.chips) {
            for (auto& instruction : chip.instructions) {
                auto* compute = std::get_if<plan::Compute>(&instruction.body);
                if (compute && compute->op == plan::OpKind::attention) compute->cycles_per_1024_positions += 1024;
            }
        }
        const auto disagreement = first_disagreement(compiled, executed, compiled.plan, *file);
        REQUIRE(disagreement);
        CHECK_THAT(*disagreement, Catch::StartsWith("position 0: latency predicted"));
    }
    SECTION("data arriving later on the chips than in the prediction") {
        // The chips see it only through the stamps of the messages they receive.
        plan::Plan executed = compiled.plan;
        executed.transfer_latency_cycles += 100'000;
        const auto disagreement = first_disagreement(compiled, executed, compiled.plan, *file);
        REQUIRE(disagreement);
        CHECK_THAT(*disagreement, Catch::StartsWith("position 0: latency predicted"));
    }
    SECTION("the same plan agrees") {
        CHECK_FALSE(first_disagreement(compiled, compiled.plan, compiled.plan, *file));
    }
    std::filesystem::remove(path);
}
