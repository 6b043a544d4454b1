#pragma once
// Pipeline parallelism: contiguous layer ranges over `pp` stages, the first
// stage also holding the embedding and the last the final norm + LM head.
// Balanced by cycles under an SRAM limit: among splits whose every stage fits
// `capacity_bytes`, the one with the smallest slowest stage; when none fits,
// the one whose largest stage overflows least (reported, not thrown, so a grid
// search can compare shortfalls). Ties go to the earliest boundaries, so the
// result is deterministic.
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/compiler/index_range.hpp"
#include "runtime/compiler/shard_cost.hpp"

namespace lpu::compiler {

struct PipelineStage {
    IndexRange layers;
    ShardCost cost;  // its layers plus the embedding / head extras it holds
};

struct PipelineSplit {
    std::vector<PipelineStage> stages;
    std::int64_t max_stage_bytes = 0;
    std::int64_t max_stage_cycles = 0;
    bool fits = false;  // every stage within capacity_bytes
};

// `layers` has one cost per layer (pp <= layers.size()); throws lpu::Error when
// pp is outside [1, layer count].
PipelineSplit balance_stages(std::span<const ShardCost> layers, ShardCost first_stage_extra,
                             ShardCost last_stage_extra, int pp, std::int64_t capacity_bytes);

}  // namespace lpu::compiler
