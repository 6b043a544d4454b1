#include "runtime/compiler/compile.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/log.hpp"
#include "collectives/fabric_timing.hpp"
#include "plan/retime.hpp"
#include "plan/validation.hpp"
#include "runtime/chip/sram_arena.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/grid_choice.hpp"
#include "runtime/compiler/lowering.hpp"
#include "runtime/compiler/receive_rings.hpp"
#include "runtime/compiler/sram_allocation.hpp"
#include "sim/chip/link_model.hpp"
#include "sim/clock/alignment_params.hpp"
#include "sim/clock/spanning_tree.hpp"

namespace lpu::compiler {
namespace {

GridEstimate explicit_grid(const model::ModelConfig& config, const sim::ChipSpec& spec, const CompileOptions& options,
                           int positions, GridSearch& search) {
    require(options.tp >= 1 && options.pp >= 1,
            "give both --tp and --pp (got tp " + std::to_string(options.tp) + ", pp " + std::to_string(options.pp) + ")");
    require(options.chips == 0 || options.chips == options.tp * options.pp * options.replicas, [&] {
        std::string message = "--chips " + std::to_string(options.chips) + " does not match --tp " +
                              std::to_string(options.tp) + " x --pp " + std::to_string(options.pp);
        if (options.replicas > 1) message.append(" x --replicas ").append(std::to_string(options.replicas));
        return message;
    });
    require(options.pp <= config.n_layers, "--pp " + std::to_string(options.pp) + " exceeds the model's " +
                                               std::to_string(config.n_layers) + " layers");
    GridEstimate grid = estimate_grid(config, spec, options.tp, options.pp, positions);
    if (grid.fits) return grid;
    // Another grid of as many chips may fit: say which, or refuse with the
    // shortfall and the minimum chip count.
    const auto other = search.best(options.tp * options.pp);
    if (!other) throw search.refusal(options.tp * options.pp);
    throw Error("model '" + config.name + "' does not fit tp " + std::to_string(options.tp) + " x pp " +
                std::to_string(options.pp) + ": a chip needs " + std::to_string(grid.max_chip_bytes) +
                " bytes of SRAM, '" + spec.name + "' has " + std::to_string(spec.sram_bytes) + " (short by " +
                std::to_string(grid.max_chip_bytes - spec.sram_bytes) + " bytes); tp " + std::to_string(other->tp) +
                " x pp " + std::to_string(other->pp) + " fits");
}

// Per topology chip: how far its counter may be from the alignment tree's
// root, the per-hop bound times its depth in the tree.
std::vector<double> skew_bounds_cycles(const topology::Topology& topology, const sim::ChipSpec& spec) {
    const sim::LinkTiming link = sim::link_timing_from_spec(spec);
    const sim::DriftBudget budget;
    const sim::AlignmentParams alignment = sim::derive_alignment_params(spec, link, budget);
    const double hop_bound = sim::hop_error_bound_cycles(alignment, spec, link, budget);
    const sim::SpanningTree tree = sim::bfs_spanning_tree(topology, alignment.root);
    std::vector<double> bounds;
    bounds.reserve(tree.depth.size());
    for (const std::uint32_t depth : tree.depth) bounds.push_back(hop_bound * depth);
    return bounds;
}

SchedulerParams fabric_params(const sim::ChipSpec& spec, const std::vector<double>& skew_bounds,
                              const Placement& placement) {
    const sim::LinkTiming link = sim::link_timing_from_spec(spec);
    const sim::DriftBudget budget;
    const sim::AlignmentParams alignment = sim::derive_alignment_params(spec, link, budget);
    SchedulerParams params;
    for (topology::ChipId chip : placement.chips) params.skew_bound_cycles.push_back(skew_bounds.at(chip));
    params.deskew_interval_cycles = alignment.epoch_cycles;
    // Two crystals at the budget's extremes drift apart by 2P ppm.
    params.deskew_pad_cycles = static_cast<std::int64_t>(
        std::ceil(static_cast<double>(alignment.epoch_cycles) * 2.0 * budget.crystal_ppm * 1e-6));
    return params;
}

// FP8 weights are a mode of the matrix unit that a chip has or has not; without
// one, every grid would fail the same way deep inside the cost model, so the
// compiler says it once, naming the chip.
void require_weight_precision(const model::ModelConfig& config, const sim::ChipSpec& spec) {
    if (config.weight_dtype != kernels::DType::F8_E4M3 || spec.fp8_macs_per_cycle > 0) return;
    std::string message = "chip '";
    message.append(spec.name)
        .append("' has no FP8 matrix mode (fp8_macs_per_cycle = 0), so it cannot hold FP8 weights; "
                "use a spec with an FP8 rate (e.g. --spec examples/specs/hypothetical-fp8.json) or another --dtype");
    throw Error(message);
}

}  // namespace

std::string default_topology_spec(int chips) {
    require(chips >= 1, "the chip count must be at least 1, got " + std::to_string(chips));
    if (chips <= 8) return chips == 1 ? "fc:2" : "fc:" + std::to_string(chips);
    constexpr int chips_per_rack = 72;
    return "dragonfly:" + std::to_string((chips + chips_per_rack - 1) / chips_per_rack);
}

std::string topology_spec_for(const CompileOptions& options, const std::string& topology) {
    if (!topology.empty()) return topology;
    const int chips = options.tp > 0 || options.pp > 0
                          ? std::max(options.tp, 1) * std::max(options.pp, 1) * std::max(options.replicas, 1)
                          : std::max(options.chips, 1);
    return default_topology_spec(chips);
}

namespace {

plan::Plan build_plan(const model::ModelConfig& config, const plan::ModelFingerprint& model, const System& system,
                      const CompileOptions& options, const GridEstimate& grid, int positions) {
    const sim::ChipSpec& spec = *system.spec;
    const collectives::FabricTiming fabric(*system.topology, spec);
    const int replicas = std::max(options.replicas, 1);
    const Placement placement =
        options.placement.empty() ? place_grid(*system.topology, grid.tp, grid.pp, replicas)
                                  : given_placement(*system.topology, grid.tp, grid.pp, replicas, options.placement);
    const auto links = std::make_shared<LinkReservations>();
    const std::vector<double> skew_bounds = skew_bounds_cycles(*system.topology, spec);
    std::vector<plan::ChipProgram> chips;
    std::int64_t min_flight_cycles = -1;
    for (int replica = 0; replica < replicas; ++replica) {
        LoweringInput input;
        input.config = &config;
        input.spec = &spec;
        input.fabric = &fabric;
        input.placement = placement.replica(replica);
        input.split = grid.split;
        input.positions = positions;
        input.batch = options.batch;
        input.collective_algorithm = options.collective_algorithm;
        input.scheduler = fabric_params(spec, skew_bounds, input.placement);
        input.scheduler.links = links;
        LoweredProgram lowered = lower_model(input);
        if (lowered.min_flight_cycles >= 0) {
            min_flight_cycles = min_flight_cycles < 0 ? lowered.min_flight_cycles
                                                      : std::min(min_flight_cycles, lowered.min_flight_cycles);
        }
        std::move(lowered.chips.begin(), lowered.chips.end(), std::back_inserter(chips));
    }

    plan::Plan plan;
    plan.model = model;
    plan.system = system_fingerprint(*system.topology, system.topology_name, spec);
    const auto batch = static_cast<std::uint32_t>(options.batch);
    plan.grid = {static_cast<std::uint32_t>(grid.tp), static_cast<std::uint32_t>(grid.pp), batch, batch,
                 static_cast<std::uint32_t>(replicas)};
    plan.sram_bytes = spec.sram_bytes;
    plan.transfer_latency_cycles = std::max<std::int64_t>(min_flight_cycles, 0);
    plan.context_positions = positions;
    plan.chips = std::move(chips);
    size_receive_rings(plan, skew_bounds, spec.vector_bytes);
    const std::int64_t fullest = assign_offsets(plan.chips, chip::sram_alignment_bytes(spec));
    require(fullest <= spec.sram_bytes,
            "model '" + config.name + "' on tp " + std::to_string(grid.tp) + " x pp " + std::to_string(grid.pp) +
                " needs " + std::to_string(fullest) + " bytes of SRAM on its fullest chip, '" + spec.name + "' has " +
                std::to_string(spec.sram_bytes) + " (short by " + std::to_string(fullest - spec.sram_bytes) + " bytes)");
    plan::validate(plan);
    log::get("compiler")->info("compiled '{}' for tp {} x pp {} x {} replica(s) on {}: {} bytes of SRAM on the fullest chip",
                               config.name, grid.tp, grid.pp, replicas, system.topology_name, fullest);
    return plan;
}

// --chips N: every fitting grid of N / replicas chips is compiled as one
// replica, and the one whose step at the last position of the context (the
// slowest) is shortest wins; ties go to the smaller tp. The estimates only
// filter what fits: the scheduled plan, with its real collectives and slack,
// is what decides. The winner is then compiled with all its replicas.
plan::Plan fastest_plan(const model::ModelConfig& config, const plan::ModelFingerprint& model, const System& system,
                        const CompileOptions& options, int positions, GridSearch& search) {
    const int chips = std::max(options.chips, 1) / options.replicas;
    if (!search.best(chips)) throw search.refusal(chips);
    CompileOptions one_replica = options;
    one_replica.replicas = 1;
    std::optional<plan::Plan> best;
    std::optional<GridEstimate> best_grid;
    std::int64_t best_cycles = 0;
    for (const GridEstimate& grid : search.grids(chips)) {
        if (!grid.fits) continue;
        plan::Plan candidate = build_plan(config, model, system, one_replica, grid, positions);
        const std::int64_t cycles = plan::Retimer(candidate).step_end_cycle(positions - 1);
        log::get("compiler")->debug("tp {} x pp {}: {} cycles per token at the last position", grid.tp, grid.pp, cycles);
        if (!best || cycles < best_cycles) {
            best = std::move(candidate);
            best_grid = grid;
            best_cycles = cycles;
        }
    }
    if (options.replicas == 1) return std::move(*best);
    return build_plan(config, model, system, options, *best_grid, positions);
}

// --replicas auto: the fewest replicas such that a replica's share of the
// chips has a grid the model can be split over. Fitting SRAM is not asked:
// a share that cannot hold the model is refused later, with the shortfall.
int auto_replicas(int chips, GridSearch& search) {
    for (int replicas = 1; replicas <= chips; ++replicas) {
        if (!search.grids(chips / replicas).empty()) return replicas;
    }
    return 1;
}

// The options with the replica count decided and checked.
CompileOptions resolve_replicas(CompileOptions options, GridSearch& search) {
    require(options.replicas >= 0, [&] { return "--replicas must be at least 1, got " + std::to_string(options.replicas); });
    const bool explicit_grid_given = options.tp != 0 || options.pp != 0;
    if (options.replicas == 0) {
        options.replicas = explicit_grid_given || options.chips == 0 ? 1 : auto_replicas(options.chips, search);
    }
    if (!explicit_grid_given) {
        require(std::max(options.chips, 1) >= options.replicas, [&] {
            return "--replicas " + std::to_string(options.replicas) + " needs at least as many chips, got --chips " +
                   std::to_string(options.chips);
        });
    }
    return options;
}

}  // namespace

plan::Plan compile_plan(const model::ModelConfig& config, const plan::ModelFingerprint& model, const System& system,
                        const CompileOptions& options) {
    invariant(system.topology && system.spec, "compile_plan needs a topology and a chip spec");
    model::validate(config);
    require_weight_precision(config, *system.spec);
    require(options.batch >= 1 && options.batch <= static_cast<int>(plan::max_batch), "--batch must be between 1 and " +
                                                                      std::to_string(plan::max_batch) +
                                                                      " sequences, got " + std::to_string(options.batch));
    const int positions = options.positions == 0 ? config.context_length : options.positions;
    require(positions >= 1 && positions <= config.context_length,
            "--context must be between 1 and the model's " + std::to_string(config.context_length) +
                " positions (got " + std::to_string(positions) + ")");
    // Candidate grids are estimated once per chip count, then chosen among, then built.
    GridSearch search(config, *system.spec, positions);
    const CompileOptions resolved = resolve_replicas(options, search);
    require(resolved.placement.empty() || (resolved.tp > 0 && resolved.pp > 0),
            "a placement given to the compiler needs its grid: tp and pp");
    if (resolved.tp == 0 && resolved.pp == 0) return fastest_plan(config, model, system, resolved, positions, search);
    return build_plan(config, model, system, resolved, explicit_grid(config, *system.spec, resolved, positions, search),
                      positions);
}

}  // namespace lpu::compiler
