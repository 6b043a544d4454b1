#pragma once
// `lpu model quantize IN OUT --type T`: a GGUF model rewritten with quantised weights.
#include <CLI/CLI.hpp>

namespace lpu::cli {

void add_model_quantize_command(CLI::App& model_app);

}  // namespace lpu::cli
