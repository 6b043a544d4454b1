#include "runtime/model/quantize_recipe.hpp"

#include "base/error.hpp"
#include "runtime/model/gguf_format.hpp"

namespace lpu::model {
namespace {

using kernels::DType;

struct NamedRecipe {
    const char* name;
    DType base;
    bool mixed;
};

constexpr NamedRecipe kRecipes[] = {
    {"q4_k_m", DType::Q4_K, true}, {"q5_k_m", DType::Q5_K, true}, {"q6_k", DType::Q6_K, false},
    {"q8_0", DType::Q8_0, false},  {"q4_0", DType::Q4_0, false},  {"q4_1", DType::Q4_1, false},
    {"q5_0", DType::Q5_0, false},  {"q5_1", DType::Q5_1, false},  {"q2_k", DType::Q2_K, false},
    {"q3_k", DType::Q3_K, false},  {"q4_k", DType::Q4_K, false},  {"q5_k", DType::Q5_K, false},
};

// llama.cpp's choice of layers that get more bits in its _M mixes.
bool use_more_bits(int layer, int n_layers) {
    return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

// llama.cpp's fallback for a type whose blocks do not fit the rows.
DType fallback(DType type) {
    switch (type) {
        case DType::Q2_K:
        case DType::Q3_K: return DType::Q4_0;
        case DType::Q4_K: return DType::Q5_0;
        case DType::Q5_K: return DType::Q5_1;
        case DType::Q6_K: return DType::Q8_0;
        default: return DType::F16;
    }
}

}  // namespace

std::vector<std::string> quantize_recipe_names() {
    std::vector<std::string> names;
    for (const auto& recipe : kRecipes) names.emplace_back(recipe.name);
    return names;
}

QuantizeRecipe quantize_recipe(const std::string& name) {
    for (const auto& recipe : kRecipes) {
        if (name != recipe.name) continue;
        const std::uint32_t file_type = !recipe.mixed                ? gguf::mapping_of(recipe.base)->file_type
                                        : recipe.base == DType::Q4_K ? gguf::kFileTypeQ4_K_M
                                                                     : gguf::kFileTypeQ5_K_M;
        return {recipe.name, recipe.base, recipe.mixed, file_type};
    }
    std::string names;
    for (const auto& known : quantize_recipe_names()) names += (names.empty() ? "" : ", ") + known;
    throw Error("unknown quantisation type '" + name + "' (known: " + names + ")");
}

DType recipe_type(const QuantizeRecipe& recipe, WeightTensor role, int layer, int n_layers, bool tied_output,
                  std::int64_t row_length) {
    DType type = recipe.base;
    const bool is_output = role == WeightTensor::output || (tied_output && role == WeightTensor::token_embedding);
    if (recipe.mixed) {
        if (is_output) {
            // llama.cpp: Q8_0 for an output whose rows are no whole K-quant super-blocks.
            if (row_length % kernels::block_shape(DType::Q6_K).values != 0) return DType::Q8_0;
            type = DType::Q6_K;
        } else if ((role == WeightTensor::wv || role == WeightTensor::w_down) && use_more_bits(layer, n_layers)) {
            type = DType::Q6_K;
        }
    }
    while (row_length % kernels::block_shape(type).values != 0) type = fallback(type);
    return type;
}

void apply_recipe(const QuantizeRecipe& recipe, ModelConfig& config) {
    validate(config);
    const auto type = [&](WeightTensor role, int layer, std::int64_t row_length) {
        return recipe_type(recipe, role, layer, config.n_layers, config.tied_output, row_length);
    };
    config.weight_dtype = type(WeightTensor::wq, 0, config.dim);
    config.weight_type_overrides.clear();
    const auto note = [&](WeightTensor role, int layer, std::int64_t row_length) {
        const DType dtype = type(role, layer, row_length);
        if (dtype != config.weight_dtype) config.weight_type_overrides.push_back({role, layer, dtype});
    };
    note(WeightTensor::token_embedding, -1, config.dim);
    for (int l = 0; l < config.n_layers; ++l) {
        for (const WeightTensor role : {WeightTensor::wq, WeightTensor::wk, WeightTensor::wv, WeightTensor::wo,
                                        WeightTensor::w_gate, WeightTensor::w_up}) {
            note(role, l, config.dim);
        }
        note(WeightTensor::w_down, l, config.hidden_dim);
    }
    if (!config.tied_output) note(WeightTensor::output, -1, config.dim);
}

}  // namespace lpu::model
