#pragma once
// The small synthetic model the seeds are made for: make_seeds writes it and
// compiles plans for it, and a target that checks input against a model (a
// TCP job's plan fingerprint) writes the same one, so the seeds reach past
// that check.
#include "runtime/model/synthetic_model.hpp"

namespace lpu::fuzz {

// Small on purpose: a seed of a few KiB is mutated and read thousands of times a second.
inline model::SyntheticShape seed_model_shape() {
    auto shape = model::synthetic_preset("tiny");
    shape.dim = 16;
    shape.hidden_dim = 32;
    shape.n_heads = 2;
    shape.n_kv_heads = 1;
    shape.n_layers = 2;
    shape.vocab_size = 259;
    shape.context_length = 16;
    return shape;
}

}  // namespace lpu::fuzz
