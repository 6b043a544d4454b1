#include "runtime/model/model_config.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "tests/support/model_shapes.hpp"

using lpu::model::ModelConfig;


TEST_CASE("validate accepts real shapes and derives head sizes", "[model][config]") {
    const auto config = lpu::test::stories260k_config();
    CHECK_NOTHROW(lpu::model::validate(config));
    CHECK(config.head_dim() == 8);
    CHECK(config.kv_dim() == 32);

    ModelConfig llama3_405b = config;  // the largest published Llama must pass
    llama3_405b.dim = 16384;
    llama3_405b.hidden_dim = 53248;
    llama3_405b.n_layers = 126;
    llama3_405b.n_heads = 128;
    llama3_405b.n_kv_heads = 8;
    llama3_405b.vocab_size = 128256;
    llama3_405b.context_length = 131072;
    llama3_405b.rope_theta = 500000.0f;
    CHECK_NOTHROW(lpu::model::validate(llama3_405b));
}

TEST_CASE("validate names the first bad field", "[model][config]") {
    auto with = [](auto change) {
        auto config = lpu::test::stories260k_config();
        change(config);
        return config;
    };
    using lpu::model::validate;
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.dim = 0; })), Catch::Contains("dim is 0"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.n_layers = -3; })), Catch::Contains("n_layers is -3"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.vocab_size = 1 << 30; })),
                      Catch::Contains("vocab_size") && Catch::Contains("maximum"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.n_heads = 7; })),
                      Catch::Contains("dim 64 is not divisible by n_heads 7"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.n_kv_heads = 3; })),
                      Catch::Contains("n_heads 8 is not divisible by n_kv_heads 3"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) {
                          c.n_heads = 64;
                          c.n_kv_heads = 64;
                      })),
                      Catch::Contains("head size 1"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.rms_norm_eps = 0.0f; })), Catch::Contains("rms_norm_eps"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.rope_theta = -1.0f; })), Catch::Contains("rope_theta"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.context_length = 0; })), Catch::Contains("context_length"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.hidden_dim = -1; })), Catch::Contains("hidden_dim"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) { c.experts = 0; })), Catch::Contains("experts is 0"));
    CHECK_THROWS_WITH(validate(with([](ModelConfig& c) {
                          c.experts = 8;
                          c.active_experts = 9;
                      })),
                      Catch::Contains("active_experts 9 exceeds experts 8"));
}
