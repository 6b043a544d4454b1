#pragma once
// `lpu model tokenize`, `lpu model detokenize` and `lpu model import-tokenizer`:
// a model's vocabulary without its weights (vocab-only GGUF files included).
// Registered under the `lpu model` parent command (model_command.cpp).
#include <CLI/CLI.hpp>

namespace lpu::cli {

void add_model_tokenize_commands(CLI::App& model_app);

}  // namespace lpu::cli
