#pragma once
// Model shapes for tests that need no weights: stories260K's.
#include "runtime/model/model_config.hpp"

namespace lpu::test {

// stories260K: dim 64, hidden 172, 5 layers, 8 heads, 4 KV heads, vocab 512.
inline model::ModelConfig stories260k_config() {
    model::ModelConfig config;
    config.name = "stories260K";
    config.dim = 64;
    config.hidden_dim = 172;
    config.n_layers = 5;
    config.n_heads = 8;
    config.n_kv_heads = 4;
    config.vocab_size = 512;
    config.context_length = 512;
    return config;
}

}  // namespace lpu::test
