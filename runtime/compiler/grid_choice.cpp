#include "runtime/compiler/grid_choice.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "base/error.hpp"
#include "runtime/compiler/tensor_shard.hpp"

namespace lpu::compiler {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Layers whose matrices have the same types cost the same: `kind[l]` numbers
// layer l's combination of types, `first[k]` is the first layer of kind k.
struct LayerKinds {
    std::vector<std::size_t> kind;
    std::vector<int> first;
};
LayerKinds layer_kinds(const model::ModelConfig& config) {
    using model::WeightTensor;
    LayerKinds kinds;
    std::map<std::vector<kernels::DType>, std::size_t> numbers;
    for (int l = 0; l < config.n_layers; ++l) {
        std::vector<kernels::DType> types;
        for (const WeightTensor role : {WeightTensor::wq, WeightTensor::wk, WeightTensor::wv, WeightTensor::wo,
                                        WeightTensor::w_gate, WeightTensor::w_up, WeightTensor::w_down}) {
            types.push_back(config.dtype_of(role, l));
        }
        const auto [found, added] = numbers.emplace(types, kinds.first.size());
        if (added) kinds.first.push_back(l);
        kinds.kind.push_back(found->second);
    }
    return kinds;
}

std::optional<GridEstimate> best_fitting(const std::vector<GridEstimate>& grids) {
    std::optional<GridEstimate> best;
    for (const auto& grid : grids) {
        if (grid.fits && (!best || grid.token_cycles < best->token_cycles)) best = grid;
    }
    return best;
}

}  // namespace

std::vector<GridEstimate> estimate_grids(const model::ModelConfig& config, const sim::ChipSpec& spec, int chips,
                                         int positions) {
    std::vector<GridEstimate> grids;
    for (int tp = 1; tp <= std::min(chips, config.n_heads); ++tp) {
        if (chips % tp != 0 || chips / tp > config.n_layers) continue;
        try {
            grids.push_back(estimate_grid(config, spec, tp, chips / tp, positions));
        } catch (const Error&) {
            continue;  // this tp cannot shard the model; another may
        }
    }
    return grids;
}

std::int64_t link_hop_cycles(const sim::ChipSpec& spec, std::int64_t bytes) {
    const std::int64_t vectors = ceil_div(bytes, spec.vector_bytes);
    const std::int64_t vector_cycles =
        ceil_div(spec.vector_bytes * spec.clock_hz, spec.link_bytes_per_second());
    return spec.link_latency_mean_cycles + vectors * vector_cycles;
}

std::int64_t all_reduce_cycles(const sim::ChipSpec& spec, std::int64_t bytes) {
    return 2 * link_hop_cycles(spec, bytes);
}

GridEstimate estimate_grid(const model::ModelConfig& config, const sim::ChipSpec& spec, int tp, int pp,
                           int positions) {
    const sim::CostModel cost(spec);
    const std::int64_t dim_bytes = std::int64_t{config.dim} * static_cast<std::int64_t>(sizeof(float));
    // The slowest and the largest rank of the TP group set a stage's pace and size.
    const LayerKinds kinds = layer_kinds(config);
    std::vector<ShardCost> kind_costs(kinds.first.size());
    ShardCost embedding, head;
    std::int64_t activations = 0;
    const auto widen = [](ShardCost& into, const ShardCost& part) {
        into = {std::max(into.cycles, part.cycles), std::max(into.bytes, part.bytes)};
    };
    for (int rank = 0; rank < tp; ++rank) {
        const TensorShard shard = shard_tensor_parallel(config, tp, rank);
        for (std::size_t k = 0; k < kinds.first.size(); ++k) {
            widen(kind_costs[k], layer_cost(config, shard, cost, positions, kinds.first[k]));
        }
        widen(embedding, embedding_cost(config, shard, cost));
        widen(head, head_cost(config, shard, cost, pp == 1));
        activations = std::max(activations, activation_bytes(config, shard, positions));
    }
    activations += rope_factor_bytes(config);  // resident on every chip, like the activations
    if (tp > 1) {
        for (ShardCost& kind_cost : kind_costs) kind_cost.cycles += 2 * all_reduce_cycles(spec, dim_bytes);
        embedding.cycles += all_reduce_cycles(spec, dim_bytes);
        head.cycles += link_hop_cycles(spec, 2 * static_cast<std::int64_t>(sizeof(float)));
    }
    std::vector<ShardCost> layers;
    for (const std::size_t kind : kinds.kind) layers.push_back(kind_costs[kind]);

    GridEstimate grid;
    grid.tp = tp;
    grid.pp = pp;
    grid.split = balance_stages(layers, embedding, head, pp, spec.sram_bytes - activations);
    grid.token_cycles = (pp - 1) * link_hop_cycles(spec, dim_bytes);
    for (const auto& stage : grid.split.stages) grid.token_cycles += stage.cost.cycles;
    grid.max_chip_bytes = grid.split.max_stage_bytes + activations;
    grid.fits = grid.max_chip_bytes <= spec.sram_bytes;
    return grid;
}

GridEstimate choose_grid(const model::ModelConfig& config, const sim::ChipSpec& spec, int chips, int positions) {
    model::validate(config);
    require(chips >= 1, "--chips must be at least 1 (got " + std::to_string(chips) + ")");
    // Checked here because estimate_all skips grids that throw.
    require(positions >= 1 && positions <= config.context_length,
            "positions " + std::to_string(positions) + " outside [1, context_length " +
                std::to_string(config.context_length) + "]");
    const std::string what = "model '" + config.name + "' with a " + std::to_string(positions) + "-position KV cache";
    const auto grids = estimate_grids(config, spec, chips, positions);
    if (const auto best = best_fitting(grids)) return *best;

    std::string problem;
    if (grids.empty()) {
        problem = "cannot be split: no tp x pp grid of " + std::to_string(chips) + " chip(s) with tp <= n_heads " +
                  std::to_string(config.n_heads) + " and pp <= n_layers " + std::to_string(config.n_layers) +
                  " shards it";
    } else {
        const auto smallest = std::min_element(grids.begin(), grids.end(), [](const auto& a, const auto& b) {
            return a.max_chip_bytes < b.max_chip_bytes;
        });
        problem = "does not fit " + std::to_string(chips) + " chip(s) of '" + spec.name + "': the best grid (tp " +
                  std::to_string(smallest->tp) + " x pp " + std::to_string(smallest->pp) + ") needs " +
                  std::to_string(smallest->max_chip_bytes) + " bytes on one chip, which has " +
                  std::to_string(spec.sram_bytes) + " (short by " +
                  std::to_string(smallest->max_chip_bytes - spec.sram_bytes) + " bytes)";
    }
    if (const auto more = minimum_chips(config, spec, positions, chips + 1)) {
        throw Error(what + " " + problem + "; it needs at least " + std::to_string(*more) + " chips");
    }
    throw Error(what + " " + problem + "; it does not fit any grid up to n_heads x n_layers = " +
                std::to_string(config.n_heads * config.n_layers) + " chips");
}

std::optional<int> minimum_chips(const model::ModelConfig& config, const sim::ChipSpec& spec, int positions,
                                 int from_chips) {
    // The largest grid the model can be split into is n_heads x n_layers chips.
    const int max_chips = config.n_heads * config.n_layers;
    for (int chips = std::max(from_chips, 1); chips <= max_chips; ++chips) {
        if (best_fitting(estimate_grids(config, spec, chips, positions))) return chips;
    }
    return std::nullopt;
}

}  // namespace lpu::compiler
