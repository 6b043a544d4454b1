#include "runtime/compiler/failover.hpp"

#include <algorithm>
#include <tuple>

#include "base/error.hpp"
#include "runtime/compiler/grid_choice.hpp"
#include "topology/routing.hpp"

namespace lpu::compiler {
namespace {

// The chip the plan does not use that is best placed to take `failed`'s part:
// a spare first (the topology keeps them for this), then the fewest hops from
// the failed chip, then the lowest id.
std::optional<topology::ChipId> stand_in_for(const topology::Topology& whole, const Placement& before,
                                             topology::ChipId failed) {
    std::vector<bool> used(whole.chip_count(), false);
    for (topology::ChipId chip : before.chips) used[chip] = true;
    const std::vector<std::uint32_t> hops = topology::hop_distances(whole, failed);
    std::optional<topology::ChipId> best;
    const auto key = [&](topology::ChipId chip) { return std::make_tuple(!whole.chip(chip).spare, hops[chip], chip); };
    for (topology::ChipId chip = 0; chip < whole.chip_count(); ++chip) {
        if (used[chip] || chip == failed) continue;
        if (!best || key(chip) < key(*best)) best = chip;
    }
    return best;
}

// The grid with the lowest estimated latency among every chip count the model
// fits on, up to the chips left, as compile options (--chips), per replica:
// as many chips as are left is often a count with no good grid (575 = 23 x 25
// splits 64 heads unevenly), and a few chips fewer give a better one.
void regrid(const model::ModelConfig& config, const sim::ChipSpec& spec, const Failure& failure, Failover& failover) {
    CompileOptions& options = failover.options;
    const topology::Topology& left = failover.system.topology;
    const auto usable = static_cast<int>(std::count_if(left.chips().begin(), left.chips().end(),
                                                       [](const topology::Chip& chip) { return !chip.spare; }));
    const int most = usable / options.replicas;
    GridSearch search(config, spec, options.positions == 0 ? config.context_length : options.positions);
    const std::optional<int> fewest = search.minimum_chips();
    require(most >= 1 && fewest && *fewest <= most, [&] {
        return "without " + failure_name(failure) + " the " + std::to_string(usable) + " chips left cannot hold the model: " +
               search.refusal(std::max(most, 1)).what();
    });
    int chips = *fewest;
    std::int64_t fastest = search.best(chips)->token_cycles;
    for (int candidate = *fewest + 1; candidate <= most; ++candidate) {
        const std::optional<GridEstimate> grid = search.best(candidate);
        if (grid && grid->token_cycles < fastest) {
            chips = candidate;
            fastest = grid->token_cycles;
        }
    }
    options.chips = chips * options.replicas;
    options.tp = 0;
    options.pp = 0;
    failover.placed = Failover::Placed::regrid;
}

}  // namespace

std::string failure_name(const Failure& failure) {
    if (failure.kind == Failure::Kind::chip) return "chip " + std::to_string(failure.chip);
    return "link " + std::to_string(failure.chip) + "-" + std::to_string(failure.peer);
}

Placement plan_placement(const plan::Plan& plan) {
    Placement placement{static_cast<int>(plan.grid.tp), static_cast<int>(plan.grid.pp),
                        static_cast<int>(plan.grid.replicas), {}};
    placement.chips.reserve(plan.chips.size());
    for (const plan::ChipProgram& chip : plan.chips) placement.chips.push_back(chip.chip);
    return placement;
}

Failover plan_failover(const model::ModelConfig& config, const sim::ChipSpec& spec, const topology::Topology& whole,
                       const Placement& before, const CompileOptions& options, const Failure& failure) {
    const bool chip_failed = failure.kind == Failure::Kind::chip;
    Failover failover{chip_failed ? topology::without_chip(whole, failure.chip)
                                  : topology::without_link(whole, failure.chip, failure.peer),
                      options, Failover::Placed::kept, std::nullopt, false};
    failover.options.tp = before.tp;
    failover.options.pp = before.pp;
    failover.options.replicas = before.replicas;
    failover.options.chips = 0;
    std::vector<topology::ChipId> chips = before.chips;
    const auto failed = chip_failed ? std::find(chips.begin(), chips.end(), failure.chip) : chips.end();
    if (failed != chips.end()) {
        const auto stand_in = stand_in_for(whole, before, failure.chip);
        if (!stand_in) {
            regrid(config, spec, failure, failover);
            return failover;
        }
        *failed = *stand_in;
        failover.placed = Failover::Placed::stand_in;
        failover.stand_in = stand_in;
        failover.stand_in_is_spare = whole.chip(*stand_in).spare;
    }
    for (topology::ChipId& chip : chips) chip = failover.system.degraded_id(chip);
    failover.options.placement = std::move(chips);
    return failover;
}

}  // namespace lpu::compiler
