#pragma once
// A Llama model stored as GGUF (llama.cpp's tensor names and metadata keys).
#include <memory>

#include "runtime/model/gguf_reader.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::model {

// Builds the ModelConfig from llama.* metadata (general.architecture must be
// "llama"), checks every tensor's presence and shape against it, and reads the
// vocabulary. Throws lpu::Error naming the key or tensor at fault.
std::unique_ptr<ModelFile> open_gguf_model(GgufFile file);

}  // namespace lpu::model
