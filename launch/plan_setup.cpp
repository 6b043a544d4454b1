#include "launch/plan_setup.hpp"

#include "base/error.hpp"
#include "base/printf_text.hpp"
#include "plan/plan_io.hpp"
#include "plan/retime.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::launch {

bool wants_plan(const SystemOptions& options) {
    return options.compile.tp > 0 || options.compile.pp > 0 || options.compile.chips > 0 ||
           options.compile.batch > 1 || options.compile.replicas != 1 || !options.topology.empty() ||
           !options.plan_path.empty();
}

namespace {

PreparedPlan compiled_or_loaded_plan(const model::ModelFile& file, const SystemOptions& options) {
    PreparedPlan prepared{{}, sim::load_chip_spec(options.spec), nullptr, {}};
    if (!options.plan_path.empty()) {
        require(options.compile.tp == 0 && options.compile.pp == 0 && options.compile.chips == 0 &&
                    options.compile.batch == 1,
                "--plan fixes the partition and the batch: drop --tp, --pp, --chips and --batch");
        prepared.plan = plan::load_plan(options.plan_path);
        require(options.compile.positions == 0 || options.compile.positions == prepared.plan.context_positions,
                "the plan holds a KV cache of " + std::to_string(prepared.plan.context_positions) +
                    " positions: drop --context or compile a new plan");
        const std::string topology_name = options.topology.empty() ? prepared.plan.system.topology : options.topology;
        prepared.topology = std::make_unique<topology::Topology>(topology::topology_from_spec(topology_name));
        plan::check_fingerprint(prepared.plan, compiler::model_fingerprint(file),
                                compiler::system_fingerprint(*prepared.topology, topology_name, prepared.spec));
        return prepared;
    }
    const std::string topology_name = compiler::topology_spec_for(options.compile, options.topology);
    prepared.topology = std::make_unique<topology::Topology>(topology::topology_from_spec(topology_name));
    prepared.plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file),
                                           {prepared.topology.get(), topology_name, &prepared.spec}, options.compile);
    return prepared;
}

}  // namespace

PreparedPlan prepare_plan(const model::ModelFile& file, const SystemOptions& options) {
    PreparedPlan prepared = compiled_or_loaded_plan(file, options);
    prepared.lockstep = sim::verify_plan_lockstep(prepared.plan, *prepared.topology, prepared.spec);
    sim::require_plan_lockstep(prepared.lockstep);
    return prepared;
}

std::string prepared_plan_summary(const PreparedPlan& prepared, const std::string& path) {
    const auto& grid = prepared.plan.grid;
    const std::int64_t cycles = plan::step_end_cycle(plan::retime(prepared.plan, 0));
    return printf_text("%s: %s on %s, tp %u x pp %u (%zu chips), %lld cycles per token at position 0 (%.2f us)\n",
                       path.c_str(), prepared.plan.model.description.c_str(), prepared.plan.system.topology.c_str(),
                       grid.tp, grid.pp, prepared.plan.chips.size(), static_cast<long long>(cycles),
                       static_cast<double>(cycles) / prepared.spec.clock_hz * 1e6) +
           "plan: " + sim::lockstep_summary(prepared.lockstep) + "\n";
}

sim::PlanLockstepResult check_plan_file(const std::string& path, const std::string& spec,
                                        const sim::PlanLockstepConfig& config) {
    const plan::Plan loaded = plan::load_plan(path);
    const sim::ChipSpec chip_spec = sim::load_chip_spec(spec);
    const topology::Topology topology = topology::topology_from_spec(loaded.system.topology);
    // Only the system matters here: the model is the plan's own.
    plan::check_fingerprint(loaded, loaded.model,
                            compiler::system_fingerprint(topology, loaded.system.topology, chip_spec));
    return sim::check_plan_lockstep(loaded, topology, chip_spec, config);
}

}  // namespace lpu::launch
