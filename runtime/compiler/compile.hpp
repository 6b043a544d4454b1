#pragma once
// The compiler's front door: (model, system, grid) -> a validated Plan.
//
//   grid       --tp/--pp as given, or the best grid of --chips chips (grid_choice.hpp)
//   placement  nearest-neighbour walk on the topology (placement.hpp); replicas
//              (data parallelism) take consecutive blocks of it, and are lowered
//              one after the other into one link book, so they never collide
//              on a link
//   stages     layers balanced by cycles under the SRAM limit (pipeline_stages.hpp)
//   lowering   per-chip ops, collective schedules and stage transfers, scheduled
//              cycle by cycle with link reservations and deskew points (lowering.hpp)
//   rings      every buffer that receives messages is grown to the receive ring
//              its messages in flight need (receive_rings.hpp)
//   SRAM       offsets per chip; a plan that does not fit is refused with the
//              shortfall and the minimum chip count
//
// Fabric figures: transfers get the alignment protocol's skew bounds as slack
// (sim/clock/alignment_params.hpp: per-hop bound x depth in the BFS alignment tree
// rooted at chip 0), and a RuntimeDeskew every HAC epoch of a chip's timeline
// whose pad covers the drift the crystals' budget allows over one epoch.
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "runtime/model/model_config.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology.hpp"

namespace lpu::compiler {

struct CompileOptions {
    int tp = 0;         // with pp: the grid; 0 = choose
    int pp = 0;
    int chips = 0;      // choose the best grid of this many chips (when tp and pp are 0); 0 = 1
    int positions = 0;  // KV cache length; 0 = the model's context length
    int batch = 1;      // sequences per decode step (pipeline micro-batches of one sequence each), per replica
    // Data-parallel replicas of the grid, each on its own chips with its own
    // batch: `chips` is then the total, `chips / replicas` (rounded down) per
    // replica. 0 = auto: the fewest replicas whose share of `chips` the model
    // can be split over (tp <= heads, pp <= layers).
    int replicas = 1;
    std::string collective_algorithm = "auto";
    // The grid's chips in placement order (chips[replica * tp * pp + stage * tp
    // + rank]) when they are chosen elsewhere: a failover keeps every chip where
    // it was and puts a stand-in in the failed one's place. Needs tp and pp.
    // Empty: the compiler places the grid (placement.hpp).
    std::vector<topology::ChipId> placement;
};

struct System {
    const topology::Topology* topology = nullptr;
    std::string topology_name;  // as the user gave it ("fc:8", a file), for the fingerprint
    const sim::ChipSpec* spec = nullptr;
};

// Throws lpu::Error on a grid that does not exist for the model or system, and
// on a model that does not fit (naming the shortfall and the minimum chips).
plan::Plan compile_plan(const model::ModelConfig& config, const plan::ModelFingerprint& model, const System& system,
                        const CompileOptions& options);

// The default topology for a number of chips: one fully connected node up to 8
// chips, else a Dragonfly of enough racks (72 chips each).
std::string default_topology_spec(int chips);

// The topology a system for these options has: `topology` when given, else
// default_topology_spec of the chips they ask for (tp x pp x replicas, or chips).
std::string topology_spec_for(const CompileOptions& options, const std::string& topology);

}  // namespace lpu::compiler
