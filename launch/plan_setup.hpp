#pragma once
// What `lpu run` and `lpu compile` share: the flags that describe the system
// and the partition (--spec, --topology, --tp/--pp/--chips, --batch,
// --context, --collective), and how a plan comes to be: compiled from those flags, or
// loaded from a file and checked against this model and system.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "plan/plan.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology.hpp"

namespace lpu::cli {

struct SystemOptions {
    std::string spec = "tsp-v1";
    std::string topology;  // empty: the plan's, or a default for the chip count
    compiler::CompileOptions compile;
    std::string plan_path;  // lpu run --plan
};

// --spec and --context (every model run has them).
void add_chip_options(CLI::App& command, SystemOptions& options);
// --topology, --tp, --pp, --chips, --batch, --collective.
void add_partition_options(CLI::App& command, SystemOptions& options);

// True when the flags ask for more than the single-chip path.
bool wants_plan(const SystemOptions& options);

// The topology the flags select: --topology, else the default for the chip
// count they ask for (compiler::default_topology_spec).
std::string topology_spec_for(const SystemOptions& options);

struct PreparedPlan {
    plan::Plan plan;
    sim::ChipSpec spec;
    std::unique_ptr<topology::Topology> topology;
};

// Compiles for `file` (or loads options.plan_path and refuses it when its
// fingerprints are not this model's and this system's).
PreparedPlan prepare_plan(const model::ModelFile& file, const SystemOptions& options);

}  // namespace lpu::cli
