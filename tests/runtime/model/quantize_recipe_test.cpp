#include "runtime/model/quantize_recipe.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "tests/support/model_shapes.hpp"

using namespace lpu;
using kernels::DType;
using model::WeightTensor;

TEST_CASE("quantise recipes: names, types and GGUF file types", "[model][quantize]") {
    CHECK(model::quantize_recipe_names().front() == "q4_k_m");
    CHECK(model::quantize_recipe("q4_k_m").base == DType::Q4_K);
    CHECK(model::quantize_recipe("q4_k_m").mixed);
    CHECK(model::quantize_recipe("q4_k_m").file_type == 15);
    CHECK(model::quantize_recipe("q5_k_m").file_type == 17);
    CHECK_FALSE(model::quantize_recipe("q6_k").mixed);
    CHECK(model::quantize_recipe("q6_k").file_type == 18);
    CHECK(model::quantize_recipe("q8_0").file_type == 7);
    CHECK_THROWS_WITH(model::quantize_recipe("q4_k_s"),
                      Catch::Contains("unknown quantisation type 'q4_k_s'") && Catch::Contains("q4_k_m, q5_k_m"));
}

TEST_CASE("Q4_K_M keeps llama.cpp's layers at Q6_K: the first and last eighth, every third between",
          "[model][quantize]") {
    const auto recipe = model::quantize_recipe("q4_k_m");
    const auto type = [&](WeightTensor role, int layer) { return model::recipe_type(recipe, role, layer, 32, false, 4096); };
    // 32 layers: use_more_bits is i < 4 || i >= 28 || (i - 4) % 3 == 2.
    for (const int layer : {0, 3, 6, 9, 27, 28, 31}) {
        INFO("layer " << layer);
        CHECK(type(WeightTensor::wv, layer) == DType::Q6_K);
        CHECK(type(WeightTensor::w_down, layer) == DType::Q6_K);
    }
    for (const int layer : {4, 5, 7, 26}) {
        INFO("layer " << layer);
        CHECK(type(WeightTensor::wv, layer) == DType::Q4_K);
        CHECK(type(WeightTensor::w_down, layer) == DType::Q4_K);
    }
    for (const auto role : {WeightTensor::wq, WeightTensor::wk, WeightTensor::wo, WeightTensor::w_gate, WeightTensor::w_up}) {
        CHECK(type(role, 0) == DType::Q4_K);
    }
    CHECK(type(WeightTensor::output, -1) == DType::Q6_K);
    CHECK(type(WeightTensor::token_embedding, -1) == DType::Q4_K);
    // A tied output is the embedding: it gets the output's type.
    CHECK(model::recipe_type(recipe, WeightTensor::token_embedding, -1, 32, true, 4096) == DType::Q6_K);
}

TEST_CASE("plain recipes put every matrix in one type", "[model][quantize]") {
    const auto recipe = model::quantize_recipe("q3_k");
    for (const auto role : {WeightTensor::token_embedding, WeightTensor::wv, WeightTensor::w_down, WeightTensor::output}) {
        CHECK(model::recipe_type(recipe, role, 0, 8, false, 512) == DType::Q3_K);
    }
}

TEST_CASE("rows that do not split into a type's blocks fall back as llama.cpp does", "[model][quantize]") {
    const auto type = [](const char* recipe, WeightTensor role, std::int64_t row) {
        return model::recipe_type(model::quantize_recipe(recipe), role, 5, 8, false, row);
    };
    CHECK(type("q4_k", WeightTensor::wq, 64) == DType::Q5_0);
    CHECK(type("q5_k", WeightTensor::wq, 64) == DType::Q5_1);
    CHECK(type("q6_k", WeightTensor::wq, 64) == DType::Q8_0);
    CHECK(type("q2_k", WeightTensor::wq, 64) == DType::Q4_0);
    CHECK(type("q3_k", WeightTensor::wq, 96) == DType::Q4_0);
    CHECK(type("q4_k", WeightTensor::w_down, 172) == DType::F16);  // not even whole 32-blocks
    CHECK(type("q4_0", WeightTensor::w_down, 172) == DType::F16);
    CHECK(type("q4_k_m", WeightTensor::output, 64) == DType::Q8_0);
    CHECK(type("q4_k_m", WeightTensor::wv, 64) == DType::Q5_0);
}

TEST_CASE("a recipe applied to a model shape gives the types lpu sim plans with", "[model][quantize]") {
    auto config = test::stories260k_config();
    config.dim = 512;
    config.hidden_dim = 1536;
    config.n_layers = 8;
    model::apply_recipe(model::quantize_recipe("q4_k_m"), config);
    CHECK(config.weight_dtype == DType::Q4_K);
    // 8 layers: use_more_bits for 0, 7 and (i - 1) % 3 == 2: 3, 6; attn_v and ffn_down each, and the output.
    CHECK(config.weight_type_overrides.size() == 2 * 4 + 1);
    CHECK(config.dtype_of(WeightTensor::wv, 3) == DType::Q6_K);
    CHECK(config.dtype_of(WeightTensor::wv, 4) == DType::Q4_K);
    CHECK(config.dtype_of(WeightTensor::output) == DType::Q6_K);
    model::apply_recipe(model::quantize_recipe("q8_0"), config);
    CHECK(config.weight_dtype == DType::Q8_0);
    CHECK(config.weight_type_overrides.empty());
}
