#pragma once
// How many tokens each expert of a mixture of experts was routed, per layer:
// what `lpu run` reports so that a run shows how evenly its router spread the
// work (an imbalance that a placement of whole experts per chip would pay for).
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "runtime/kernels/expert_routing.hpp"

namespace lpu::engine {

// layer -> tokens by expert (each vector as long as the layer's experts)
using ExpertLoad = std::map<int, std::vector<std::int64_t>>;

// Counts one token's routing in `layer` of `experts` experts.
void count_route(ExpertLoad& load, int layer, int experts, std::span<const kernels::ExpertChoice> chosen);

// Adds `more` into `load` (layers counted by different chips or processes).
void merge(ExpertLoad& load, const ExpertLoad& more);

}  // namespace lpu::engine
