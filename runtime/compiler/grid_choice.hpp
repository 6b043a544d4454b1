#pragma once
// Choosing a TP x PP grid for a number of chips: every (tp, pp) with
// tp * pp == chips, tp <= n_heads and pp <= n_layers is estimated, and the one
// that fits SRAM with the lowest per-token latency wins (ties: the smaller tp).
//
// The estimate, kept simple so the real schedule can replace it later:
//   per-token cycles = sum over stages of their cycles (each TP rank's ops from
//   shard_cost; the slowest rank of a layer sets its pace), plus
//   - per layer, when tp > 1: two all-reduces of dim floats (after wo, after w_down);
//   - when tp > 1: one all-reduce for the vocabulary-parallel embedding and one
//     link hop for the distributed argmax (a (logit, index) pair per rank);
//   - per stage boundary: one link hop carrying dim floats.
//   A hop of n bytes costs link_latency_mean_cycles + ceil(n / vector_bytes)
//   vectors x the serialisation cycles of one vector; an all-reduce costs two
//   such hops (reduce, then broadcast the sum).
//   per-chip bytes = the largest stage's weights and KV cache for `positions`
//   positions (the largest rank of its TP group) + activation_bytes.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/compiler/pipeline_stages.hpp"
#include "runtime/model/model_config.hpp"
#include "sim/chip/chip_spec.hpp"

namespace lpu::compiler {

struct GridEstimate {
    int tp = 1;
    int pp = 1;
    PipelineSplit split;
    std::int64_t token_cycles = 0;    // estimated latency of one token, chip cycles
    std::int64_t max_chip_bytes = 0;  // SRAM the fullest chip needs
    bool fits = false;                // max_chip_bytes <= spec.sram_bytes
};

// Cycles for `bytes` over one link hop, and for an all-reduce of `bytes`.
std::int64_t link_hop_cycles(const sim::ChipSpec& spec, std::int64_t bytes);
std::int64_t all_reduce_cycles(const sim::ChipSpec& spec, std::int64_t bytes);

// One grid. Throws lpu::Error when tp or pp is out of range or the model cannot
// be sharded tp ways (see shard_tensor_parallel).
GridEstimate estimate_grid(const model::ModelConfig& config, const sim::ChipSpec& spec, int tp, int pp,
                           int positions);

// Every grid of exactly `chips` chips that shards this model, tp ascending;
// grids the model cannot be split into (e.g. Q8_0 ranges that cannot align)
// are left out, and so is every grid when the chip cannot run the weights'
// types (FP8 without an FP8 rate) or has no KV cache of `positions` positions.
std::vector<GridEstimate> estimate_grids(const model::ModelConfig& config, const sim::ChipSpec& spec, int chips,
                                         int positions);

// The grid search of the compiler: the grids of each chip count it asks about
// are estimated once, then chosen among; when none fits, refusal() says why.
class GridSearch {
public:
    GridSearch(const model::ModelConfig& config, const sim::ChipSpec& spec, int positions);

    // estimate_grids for `chips`, estimated on the first call.
    const std::vector<GridEstimate>& grids(int chips);
    // The fitting grid of `chips` chips with the lowest estimated latency
    // (ties: the smaller tp), if any.
    std::optional<GridEstimate> best(int chips);
    // The fewest chips, from `from_chips` up, with a fitting grid; nullopt when
    // no grid up to n_heads x n_layers chips fits.
    std::optional<int> minimum_chips(int from_chips = 1);
    // Why no grid of `chips` chips fits: none shards the model, or the best
    // grid's shortfall in bytes; with the minimum chip count that fits.
    Error refusal(int chips);

private:
    const model::ModelConfig& config_;
    const sim::ChipSpec& spec_;
    int positions_;
    std::map<int, std::vector<GridEstimate>> grids_;  // by chip count
};

// The best fitting grid of exactly `chips` chips. Throws lpu::Error when no
// grid of that size exists, or none fits (GridSearch::refusal).
GridEstimate choose_grid(const model::ModelConfig& config, const sim::ChipSpec& spec, int chips, int positions);

// GridSearch::minimum_chips, for one question.
std::optional<int> minimum_chips(const model::ModelConfig& config, const sim::ChipSpec& spec, int positions,
                                 int from_chips = 1);

}  // namespace lpu::compiler
