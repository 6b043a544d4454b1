#include "runtime/engine/expert_load.hpp"

#include <algorithm>

namespace lpu::engine {

void count_route(ExpertLoad& load, int layer, int experts, std::span<const kernels::ExpertChoice> chosen) {
    auto& tokens = load[layer];
    tokens.resize(static_cast<std::size_t>(experts));
    for (const kernels::ExpertChoice& choice : chosen) ++tokens.at(static_cast<std::size_t>(choice.expert));
}

void merge(ExpertLoad& load, const ExpertLoad& more) {
    for (const auto& [layer, tokens] : more) {
        auto& into = load[layer];
        into.resize(std::max(into.size(), tokens.size()));
        for (std::size_t e = 0; e < tokens.size(); ++e) into[e] += tokens[e];
    }
}

}  // namespace lpu::engine
