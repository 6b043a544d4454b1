#pragma once
// `lpu model info --model PATH [--json]`: the config and tensor table of a model
// file. Registered under the `lpu model` parent command (model_command.cpp).
#include <CLI/CLI.hpp>

namespace lpu::cli {

void add_model_info_command(CLI::App& model_app);

}  // namespace lpu::cli
