#pragma once
// How a run's plan comes to be, for every way of running (`lpu run` in one process,
// under mpirun, over TCP; `lpu compile`): compiled from the options that describe the
// system and the partition, or loaded from a file and checked against this model and
// system (and, for `lpu plan check`, against a system alone). The flags that fill
// SystemOptions are in cli/system_flags.hpp.
#include <memory>
#include <string>

#include "plan/plan.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_lockstep.hpp"
#include "topology/topology.hpp"

namespace lpu::launch {

struct SystemOptions {
    std::string spec = sim::default_chip_spec_name();
    std::string topology;  // empty: the plan's, or a default for the chip count
    compiler::CompileOptions compile;
    std::string plan_path;  // lpu run --plan
};

// True when the options ask for more than the single-chip path.
bool wants_plan(const SystemOptions& options);

struct PreparedPlan {
    plan::Plan plan;
    sim::ChipSpec spec;
    std::unique_ptr<topology::Topology> topology;
    sim::PlanLockstepVerdict lockstep;  // in lockstep (prepare_plan refuses others)
};

// Compiles for `file` (or loads options.plan_path and refuses it when its
// fingerprints are not this model's and this system's), then refuses the plan
// unless it is in lockstep (sim::verify_plan_lockstep): what is run or written
// is always a plan the fabric can execute.
PreparedPlan prepare_plan(const model::ModelFile& file, const SystemOptions& options);

// What `lpu compile` says of the plan it wrote to `path`: model, system, grid,
// the cycles of a token at position 0, and its lockstep verdict (two lines).
std::string prepared_plan_summary(const PreparedPlan& prepared, const std::string& path);

// `lpu plan check`: loads the plan at `path`, refuses it unless it was compiled
// for the chip spec `spec` (a preset name or a file) on its own topology, and
// runs config.steps decode steps of it on drifting, aligned clocks
// (sim::check_plan_lockstep). The model is the plan's own: no weights are read.
sim::PlanLockstepResult check_plan_file(const std::string& path, const std::string& spec,
                                        const sim::PlanLockstepConfig& config);

}  // namespace lpu::launch
