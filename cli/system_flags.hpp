#pragma once
// The flags every command that places a model on a system shares (`lpu run`,
// `lpu compile`, `lpu sim`, `lpu serve`): they fill launch::SystemOptions.
#include <CLI/CLI.hpp>

#include "launch/plan_setup.hpp"

namespace lpu::cli {

// --spec and --context (every model run has them).
void add_chip_options(CLI::App& command, launch::SystemOptions& options);
// --topology, --tp, --pp, --chips, --replicas, --collective.
void add_grid_options(CLI::App& command, launch::SystemOptions& options);
// The grid options and --batch (`lpu serve` names its batch --max-batch).
void add_partition_options(CLI::App& command, launch::SystemOptions& options);

}  // namespace lpu::cli
