#pragma once
// `lpu model tokenize`, `detokenize`, `import-tokenizer` and `chat-prompt`:
// a model's vocabulary without its weights (vocab-only GGUF files included).
// Registered under the `lpu model` parent command (model_command.cpp).
#include <CLI/CLI.hpp>

namespace lpu::cli {

void add_model_tokenize_commands(CLI::App& model_app);
// `lpu model chat-prompt` (model_chat_prompt_command.cpp).
void add_model_chat_prompt_command(CLI::App& model_app);

}  // namespace lpu::cli
