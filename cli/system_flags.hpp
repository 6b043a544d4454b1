#pragma once
// The flags every command that places a model on a system shares (`lpu run`,
// `lpu compile`, `lpu sim`): they fill launch::SystemOptions.
#include <CLI/CLI.hpp>

#include "launch/plan_setup.hpp"

namespace lpu::cli {

// --spec and --context (every model run has them).
void add_chip_options(CLI::App& command, launch::SystemOptions& options);
// --topology, --tp, --pp, --chips, --replicas, --batch, --collective.
void add_partition_options(CLI::App& command, launch::SystemOptions& options);

}  // namespace lpu::cli
