#pragma once
// `lpu model info`: what a model file holds, as the runtime reads it (config,
// vocabulary summary, tensors with dtype, shape and bytes), as text or JSON.
#include <string>

#include "runtime/model/model_file.hpp"

namespace lpu::model {

// The report of `file`, opened from `path` (the path is part of the report).
std::string model_info_text(const ModelFile& file, const std::string& path);
std::string model_info_json(const ModelFile& file, const std::string& path);

}  // namespace lpu::model
