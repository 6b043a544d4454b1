#include "runtime/compiler/pipeline_stages.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "base/error.hpp"

namespace lpu::compiler {
namespace {

// A stage's badness: bytes over capacity first, then cycles. The badness of a
// split is its worst stage's, so fitting splits compare by their slowest stage.
using Badness = std::pair<std::int64_t, std::int64_t>;

}  // namespace

PipelineSplit balance_stages(std::span<const ShardCost> layers, ShardCost first_stage_extra,
                             ShardCost last_stage_extra, int pp, std::int64_t capacity_bytes) {
    const auto n = static_cast<int>(layers.size());
    require(pp >= 1 && pp <= n, "pipeline-parallel degree pp = " + std::to_string(pp) +
                                    " must be between 1 and the model's n_layers = " + std::to_string(n));
    std::vector<ShardCost> prefix(static_cast<std::size_t>(n) + 1);
    for (int i = 0; i < n; ++i) {
        const auto& layer = layers[static_cast<std::size_t>(i)];
        prefix[static_cast<std::size_t>(i) + 1] = {prefix[static_cast<std::size_t>(i)].cycles + layer.cycles,
                                                   prefix[static_cast<std::size_t>(i)].bytes + layer.bytes};
    }
    const auto stage_cost = [&](int stage, int begin, int end) {
        ShardCost total{prefix[static_cast<std::size_t>(end)].cycles - prefix[static_cast<std::size_t>(begin)].cycles,
                        prefix[static_cast<std::size_t>(end)].bytes - prefix[static_cast<std::size_t>(begin)].bytes};
        if (stage == 0) total = {total.cycles + first_stage_extra.cycles, total.bytes + first_stage_extra.bytes};
        if (stage == pp - 1) total = {total.cycles + last_stage_extra.cycles, total.bytes + last_stage_extra.bytes};
        return total;
    };
    const auto badness = [&](const ShardCost& cost) {
        return Badness{std::max<std::int64_t>(0, cost.bytes - capacity_bytes), cost.cycles};
    };

    // best[s][l]: badness of the best split of layers [0, l) into stages 0..s;
    // start[s][l]: where stage s begins in it.
    constexpr std::int64_t kWorst = std::numeric_limits<std::int64_t>::max();
    const auto rows = static_cast<std::size_t>(pp), cols = static_cast<std::size_t>(n) + 1;
    std::vector<Badness> best(rows * cols, Badness{kWorst, kWorst});
    std::vector<int> start(rows * cols, 0);
    for (int l = 1; l <= n - (pp - 1); ++l) best[static_cast<std::size_t>(l)] = badness(stage_cost(0, 0, l));
    for (int s = 1; s < pp; ++s) {
        for (int l = s + 1; l <= n - (pp - 1 - s); ++l) {
            auto& cell = best[static_cast<std::size_t>(s) * cols + static_cast<std::size_t>(l)];
            for (int b = s; b < l; ++b) {
                const Badness candidate = std::max(best[static_cast<std::size_t>(s - 1) * cols + static_cast<std::size_t>(b)],
                                                   badness(stage_cost(s, b, l)));
                if (candidate < cell) {
                    cell = candidate;
                    start[static_cast<std::size_t>(s) * cols + static_cast<std::size_t>(l)] = b;
                }
            }
        }
    }

    PipelineSplit split;
    split.stages.resize(rows);
    int end = n;
    for (int s = pp - 1; s >= 0; --s) {
        const int begin = s == 0 ? 0 : start[static_cast<std::size_t>(s) * cols + static_cast<std::size_t>(end)];
        split.stages[static_cast<std::size_t>(s)] = {{begin, end}, stage_cost(s, begin, end)};
        end = begin;
    }
    for (const auto& stage : split.stages) {
        split.max_stage_bytes = std::max(split.max_stage_bytes, stage.cost.bytes);
        split.max_stage_cycles = std::max(split.max_stage_cycles, stage.cost.cycles);
    }
    split.fits = split.max_stage_bytes <= capacity_bytes;
    return split;
}

}  // namespace lpu::compiler
