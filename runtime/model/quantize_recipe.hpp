#pragma once
// What `lpu model quantize --type NAME` writes: which type each weight matrix
// gets. Two kinds of recipe:
//
// - Plain types (q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k):
//   every weight matrix, the token embedding and the output included, in that
//   one type (what llama-quantize does with --pure).
// - K-quant mixes, after llama.cpp's published policy for its default
//   Q4_K_M / Q5_K_M (llama_tensor_get_type): the base type (Q4_K, Q5_K) for every
//   matrix except, at Q6_K,
//     * the output (the token embedding when the output is tied to it),
//     * attn_v and ffn_down of layer i when use_more_bits(i, n_layers): the first
//       and last eighth of the layers, and every third layer in between
//       (i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2).
//   (llama.cpp's further exceptions for Falcon, mixtures of experts and 70B
//   models are not applied.)
// A matrix whose rows do not split into the chosen type's blocks falls back as
// llama.cpp does: Q2_K/Q3_K -> Q4_0, Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0 (the
// output of a mix: Q8_0), and to F16 when rows are not even a multiple of 32.
// Norms and other vectors stay as they are (F32).
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernels/dtype.hpp"
#include "runtime/model/model_config.hpp"

namespace lpu::model {

struct QuantizeRecipe {
    std::string name;          // "q4_k_m", "q8_0", ...
    kernels::DType base;       // the type of most matrices
    bool mixed = false;        // a K-quant mix (the _m recipes)
    std::uint32_t file_type;   // general.file_type (llama.cpp's LLAMA_FTYPE)
};

// Recipe names in the order --help lists them.
std::vector<std::string> quantize_recipe_names();
// Throws lpu::Error listing the names for an unknown one.
QuantizeRecipe quantize_recipe(const std::string& name);

// The type the recipe gives a matrix of `role` (layer -1 for the embedding and
// the output) whose rows are `row_length` long, in a model of `n_layers`
// layers whose output is tied to the embedding or not.
kernels::DType recipe_type(const QuantizeRecipe& recipe, WeightTensor role, int layer, int n_layers, bool tied_output,
                           std::int64_t row_length);

// A model shape with the recipe's types (weight_dtype and the overrides), as
// `lpu sim --dtype q4_k_m` plans it.
void apply_recipe(const QuantizeRecipe& recipe, ModelConfig& config);

}  // namespace lpu::model
