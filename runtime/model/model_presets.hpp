#pragma once
// Published model shapes, for studies that need a model's shape but not its
// weights (`lpu sim`): the compiler plans from a ModelConfig alone.
#include <string>
#include <vector>

#include "runtime/kernels/dtype.hpp"
#include "runtime/model/model_config.hpp"

namespace lpu::model {

struct ModelPreset {
    std::string name;    // the --model-preset name, e.g. "llama2-70b"
    ModelConfig config;  // weight_dtype F32: callers choose the precision; MoE experts included
};

// The names model_preset accepts, in a stable order.
std::vector<std::string> model_preset_names();

// Throws lpu::Error listing the valid names for an unknown one.
ModelPreset model_preset(const std::string& name);

// The weight dtype of a user-facing precision name: "int8" (Q8_0, INT8 on the
// chip), "fp8" (F8_E4M3: compiled and timed only, on a chip with an FP8 mode),
// "fp16" or "fp32". Throws lpu::Error listing the names for any other.
kernels::DType weight_dtype_from_name(const std::string& name);

// Gives every weight matrix of `config` the types `name` stands for: a
// precision name above, a file type ("f32", "f16", "bf16"), or a quantisation
// recipe of `lpu model quantize` ("q4_k_m": its per-matrix mix; "q4_0", "q6_k",
// ...: every matrix of that type, with the recipe's fallbacks for rows that are
// no whole blocks). Replaces any per-matrix types the config had. Throws
// lpu::Error listing the names for an unknown one.
void set_weight_types(ModelConfig& config, const std::string& name);

}  // namespace lpu::model
