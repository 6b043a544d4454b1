#pragma once
// `lpu plan check`: a subcommand of `lpu plan` (cli/plan_command.cpp).
#include <CLI/CLI.hpp>

namespace lpu::cli {

void add_plan_check_command(CLI::App& plan_app);

}  // namespace lpu::cli
