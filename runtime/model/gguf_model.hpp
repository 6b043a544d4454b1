#pragma once
// A Llama-family model stored as GGUF (llama.cpp's tensor names and metadata
// keys): architecture llama (Llama 1-3, Mistral-style files; GQA, tied or
// separate output, Llama 3.1's rope_freqs, linear RoPE scaling) or qwen2 (q/k/v
// biases, RoPE on halves).
#include <memory>

#include "runtime/model/gguf_reader.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::model {

// Builds the ModelConfig from {arch}.* metadata (general.architecture llama or
// qwen2; others are refused by name), checks every tensor's presence and shape
// against it, refuses tensors the model would not use, and reads the
// vocabulary. Throws lpu::Error naming the key or tensor at fault.
std::unique_ptr<ModelFile> open_gguf_model(GgufFile file);

}  // namespace lpu::model
