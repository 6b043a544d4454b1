// Model presets carry the published shapes, mixture-of-experts ones included.
#include <cstdint>
#include <iterator>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/model/model_presets.hpp"

using namespace lpu;

namespace {

// The parameters a model of this shape holds: token embedding and a separate
// output matrix (none of the presets ties them), per layer the attention
// projections, the SwiGLU experts with their router, and two norms, and the
// final norm.
std::int64_t parameter_count(const model::ModelConfig& c) {
    const std::int64_t dim = c.dim, kv_dim = c.kv_dim(), hidden = c.hidden_dim;
    const std::int64_t attention = 2 * dim * dim + 2 * dim * kv_dim;
    const std::int64_t router = c.is_mixture_of_experts() ? dim * c.experts : 0;
    const std::int64_t feed_forward = std::int64_t{c.experts} * 3 * dim * hidden + router;
    return 2 * std::int64_t{c.vocab_size} * dim + c.n_layers * (attention + feed_forward + 2 * dim) + dim;
}

// A preset's shape as its release's params.json / config.json gives it.
struct PublishedShape {
    const char* preset;
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, context_length;
    float rope_theta;
    // The parameter count of the released weights (the model cards' exact
    // totals), an independent check that the shape fields fit together.
    std::int64_t parameters;
};

constexpr PublishedShape kPublished[] = {
    {"llama2-7b", 4096, 11008, 32, 32, 32, 32000, 4096, 10000.0f, 6'738'415'616},
    {"llama2-13b", 5120, 13824, 40, 40, 40, 32000, 4096, 10000.0f, 13'015'864'320},
    {"llama2-70b", 8192, 28672, 80, 64, 8, 32000, 4096, 10000.0f, 68'976'648'192},
    {"llama3-8b", 4096, 14336, 32, 32, 8, 128256, 8192, 500000.0f, 8'030'261'248},
    {"llama3-70b", 8192, 28672, 80, 64, 8, 128256, 8192, 500000.0f, 70'553'706'496},
    {"llama3.1-405b", 16384, 53248, 126, 128, 8, 128256, 131072, 500000.0f, 405'853'388'800},
    {"mixtral-8x7b", 4096, 14336, 32, 32, 8, 32000, 32768, 1000000.0f, 46'702'792'704},
};

}  // namespace

TEST_CASE("every model preset is its model's published shape", "[model][presets]") {
    CHECK(model::model_preset_names().size() == std::size(kPublished));
    for (const auto& published : kPublished) {
        CAPTURE(published.preset);
        const auto config = model::model_preset(published.preset).config;
        CHECK_NOTHROW(model::validate(config));
        CHECK(config.dim == published.dim);
        CHECK(config.hidden_dim == published.hidden_dim);
        CHECK(config.n_layers == published.n_layers);
        CHECK(config.n_heads == published.n_heads);
        CHECK(config.n_kv_heads == published.n_kv_heads);
        CHECK(config.vocab_size == published.vocab_size);
        CHECK(config.context_length == published.context_length);
        CHECK(config.rope_theta == published.rope_theta);
        CHECK(config.rms_norm_eps == 1e-5f);
        CHECK_FALSE(config.tied_output);
        CHECK(parameter_count(config) == published.parameters);
    }
    CHECK_FALSE(model::model_preset("llama2-70b").config.is_mixture_of_experts());
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
