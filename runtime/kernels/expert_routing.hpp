#pragma once
// A mixture of experts' router, as llama.cpp runs Mixtral (llm_build_moe_ffn):
// the softmax of the router's logits over every expert, the `k` most
// probable experts (ties to the lower index), and their probabilities
// renormalised to sum to 1. The layer's output is the sum, in that order, of
// each chosen expert's output times its weight.
#include <span>
#include <vector>

namespace lpu::kernels {

struct ExpertChoice {
    int expert = 0;
    float weight = 0.0f;
};

// Throws lpu::Error unless 1 <= k <= logits.size().
std::vector<ExpertChoice> route_token(std::span<const float> logits, int k);

}  // namespace lpu::kernels
