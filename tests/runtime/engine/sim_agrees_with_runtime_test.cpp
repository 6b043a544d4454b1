// The simulator's time model is the runtime's: for one compiled plan, the step
// `lpu sim` predicts (study/step_study.hpp) takes exactly the cycles the
// runtime reports after really running that step, at every position.
#include <catch2/catch.hpp>

#include <filesystem>
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

// Compiles `file` from its shape alone, as `lpu sim` does, runs the real model
// on that plan for a few positions, and compares each step with the prediction.
void check_sim_matches_runtime(const model::ModelFile& file, int tp, int pp, int batch) {
    constexpr int positions = 6;
    const std::string topology_name = compiler::default_topology_spec(tp * pp);
    const topology::Topology topology = topology::topology_from_spec(topology_name);
    const sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    compiler::CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.positions = positions;
    options.batch = batch;
    launch::InProcessTransport transport;
    engine::PlanModel runtime(compiler::compile_plan(file.config(), compiler::shape_fingerprint(file.config()),
                                                     {&topology, topology_name, &spec}, options),
                              file, spec, transport);
    const plan::Plan& plan = runtime.plan();
    const plan::Retimer retimer(plan);
    const collectives::FabricTiming fabric(topology, spec);
    const std::vector<int> tokens(static_cast<std::size_t>(batch), 1);
    for (int position = 0; position < positions; ++position) {
        CAPTURE(position);
        runtime.forward_batch(tokens, position);
        const cli::StepStudy predicted = cli::study_step(plan, retimer, position, fabric, spec);
        CHECK(predicted.latency_cycles == runtime.last_forward_cycles());
        CHECK(predicted.period_cycles == runtime.last_step_period_cycles());
    }
}

}  // namespace

TEST_CASE("sim predicts the runtime's cycles for stories260K on several grids", "[engine][plan][sim]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const auto [tp, pp] = GENERATE(table<int, int>({{1, 1}, {2, 1}, {4, 2}, {2, 5}}));
    CAPTURE(tp, pp);
    check_sim_matches_runtime(*file, tp, pp, 1);
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
