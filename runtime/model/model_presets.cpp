#include "runtime/model/model_presets.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "runtime/model/quantize_recipe.hpp"

namespace lpu::model {
namespace {

struct Shape {
    const char* name;
    const char* description;
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, context_length;
    float rope_theta;
    int experts = 1;
    int active_experts = 1;
};

// From each model's published configuration (the params.json / config.json of
// its release): width, MLP width, layers, query and KV heads, vocabulary,
// trained context and RoPE base.
constexpr Shape kShapes[] = {
    {"llama2-7b", "Llama-2 7B", 4096, 11008, 32, 32, 32, 32000, 4096, 10000.0f},
    {"llama2-13b", "Llama-2 13B", 5120, 13824, 40, 40, 40, 32000, 4096, 10000.0f},
    {"llama2-70b", "Llama-2 70B", 8192, 28672, 80, 64, 8, 32000, 4096, 10000.0f},
    {"llama3-8b", "Llama-3 8B", 4096, 14336, 32, 32, 8, 128256, 8192, 500000.0f},
    {"llama3-70b", "Llama-3 70B", 8192, 28672, 80, 64, 8, 128256, 8192, 500000.0f},
    {"llama3.1-405b", "Llama-3.1 405B", 16384, 53248, 126, 128, 8, 128256, 131072, 500000.0f},
    {"mixtral-8x7b", "Mixtral 8x7B", 4096, 14336, 32, 32, 8, 32000, 32768, 1000000.0f, 8, 2},
};

}  // namespace

std::vector<std::string> model_preset_names() {
    std::vector<std::string> names;
    for (const auto& shape : kShapes) names.emplace_back(shape.name);
    return names;
}

ModelPreset model_preset(const std::string& name) {
    const auto* shape = std::find_if(std::begin(kShapes), std::end(kShapes),
                                     [&](const Shape& candidate) { return name == candidate.name; });
    if (shape == std::end(kShapes)) {
        std::string names;
        for (const auto& known : model_preset_names()) names += (names.empty() ? "" : ", ") + known;
        throw Error("unknown model preset '" + name + "' (known: " + names + ")");
    }
    ModelPreset preset{shape->name, {}};
    ModelConfig& config = preset.config;
    config.name = shape->description;
    config.dim = shape->dim;
    config.hidden_dim = shape->hidden_dim;
    config.n_layers = shape->n_layers;
    config.n_heads = shape->n_heads;
    config.n_kv_heads = shape->n_kv_heads;
    config.vocab_size = shape->vocab_size;
    config.context_length = shape->context_length;
    config.rope_theta = shape->rope_theta;
    config.experts = shape->experts;
    config.active_experts = shape->active_experts;
    validate(config);
    return preset;
}

kernels::DType weight_dtype_from_name(const std::string& name) {
    if (name == "int8") return kernels::DType::Q8_0;
    if (name == "fp8") return kernels::DType::F8_E4M3;
    if (name == "fp16") return kernels::DType::F16;
    if (name == "fp32") return kernels::DType::F32;
    throw Error("unknown weight dtype '" + name + "' (known: int8, fp8, fp16, fp32)");
}

void set_weight_types(ModelConfig& config, const std::string& name) {
    const auto recipes = quantize_recipe_names();
    if (std::find(recipes.begin(), recipes.end(), name) != recipes.end()) {
        apply_recipe(quantize_recipe(name), config);
        return;
    }
    config.weight_type_overrides.clear();
    if (name == "f32" || name == "f16" || name == "bf16") {
        config.weight_dtype = *kernels::dtype_from_name(name);
        return;
    }
    if (name == "int8" || name == "fp8" || name == "fp16" || name == "fp32") {
        config.weight_dtype = weight_dtype_from_name(name);
        return;
    }
    std::string known = "int8, fp8, fp16, fp32, f32, f16, bf16";
    for (const auto& recipe : recipes) known += ", " + recipe;
    throw Error("unknown weight type '" + name + "' (known: " + known + ")");
}

}  // namespace lpu::model
