// Model presets carry the published shapes, mixture-of-experts ones included.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/model/model_presets.hpp"

using namespace lpu;

TEST_CASE("every model preset is a valid published shape", "[model][presets]") {
    for (const auto& name : model::model_preset_names()) {
        CAPTURE(name);
        CHECK_NOTHROW(model::validate(model::model_preset(name).config));
    }
    const auto llama70b = model::model_preset("llama2-70b").config;
    CHECK(llama70b.dim == 8192);
    CHECK(llama70b.n_layers == 80);
    CHECK(llama70b.n_heads == 64);
    CHECK(llama70b.n_kv_heads == 8);
    CHECK(llama70b.hidden_dim == 28672);
    CHECK(llama70b.context_length == 4096);
    CHECK_FALSE(llama70b.is_mixture_of_experts());
    const auto llama405b = model::model_preset("llama3.1-405b").config;
    CHECK(llama405b.n_layers == 126);
    CHECK(llama405b.vocab_size == 128256);
}

TEST_CASE("Mixtral's config carries its experts", "[model][presets]") {
    const auto mixtral = model::model_preset("mixtral-8x7b").config;
    CHECK(mixtral.is_mixture_of_experts());
    CHECK(mixtral.experts == 8);
    CHECK(mixtral.active_experts == 2);
    CHECK(mixtral.n_layers == 32);
    CHECK(mixtral.dim == 4096);
    CHECK(mixtral.n_heads == 32);
    CHECK(mixtral.n_kv_heads == 8);
    CHECK(mixtral.hidden_dim == 14336);
    CHECK(mixtral.vocab_size == 32000);
    CHECK(mixtral.context_length == 32768);
}

TEST_CASE("unknown presets and dtypes are refused by name", "[model][presets]") {
    CHECK_THROWS_WITH(model::model_preset("gpt-2"), Catch::Contains("unknown model preset 'gpt-2'"));
    CHECK(model::weight_dtype_from_name("int8") == kernels::DType::Q8_0);
    CHECK(model::weight_dtype_from_name("fp8") == kernels::DType::F8_E4M3);
    CHECK(model::weight_dtype_from_name("fp16") == kernels::DType::F16);
    CHECK_THROWS_WITH(model::weight_dtype_from_name("fp4"), Catch::Contains("unknown weight dtype 'fp4'"));
}
