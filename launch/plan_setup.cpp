#include "launch/plan_setup.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::launch {

bool wants_plan(const SystemOptions& options) {
    return options.compile.tp > 0 || options.compile.pp > 0 || options.compile.chips > 0 ||
           options.compile.batch > 1 || options.compile.replicas != 1 || !options.topology.empty() ||
           !options.plan_path.empty();
}

namespace {

int chip_count(const compiler::CompileOptions& options) {
    if (options.tp > 0 || options.pp > 0) {
        return std::max(options.tp, 1) * std::max(options.pp, 1) * std::max(options.replicas, 1);
    }
    return std::max(options.chips, 1);
}

}  // namespace

std::string topology_spec_for(const SystemOptions& options) {
    return options.topology.empty() ? compiler::default_topology_spec(chip_count(options.compile)) : options.topology;
}

PreparedPlan prepare_plan(const model::ModelFile& file, const SystemOptions& options) {
    PreparedPlan prepared{{}, sim::load_chip_spec(options.spec), nullptr};
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
    const std::string topology_name = topology_spec_for(options);
    prepared.topology = std::make_unique<topology::Topology>(topology::topology_from_spec(topology_name));
    prepared.plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file),
                                           {prepared.topology.get(), topology_name, &prepared.spec}, options.compile);
    return prepared;
}

}  // namespace lpu::launch
