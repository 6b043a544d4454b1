#pragma once
// Each `lpu` subcommand lives in its own file (NAME_command.cpp) and is listed here.
#include <CLI/CLI.hpp>

namespace lpu::cli {

inline void add_all_commands(CLI::App& /*app*/) {}

}  // namespace lpu::cli
