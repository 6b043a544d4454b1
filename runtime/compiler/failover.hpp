#pragma once
// Re-placement around a failed chip or link (DESIGN.md "Failover"): a pure
// function from a plan's placement and a failure to the system that is left
// and the compile options of the plan that replaces it there.
//
// The system left is the topology without the failed part
// (topology/degraded_topology.hpp), so the new plan's routes and alignment
// tree cannot touch it. The placement, in the order of preference:
//   - kept, when the failure is a link or a chip the plan does not use
//     (routes are recompiled around it all the same);
//   - kept with a stand-in in the failed chip's place: a spare chip of the
//     topology (`dragonfly:R,spare`), else a chip the plan leaves idle, the
//     one closest to the failed chip (fewest hops in the whole system, lowest
//     id on ties), so the rest of the plan stays where it was;
//   - otherwise the remaining chips are too few for the grid, and the compiler
//     chooses the best grid of as many of them as the model fits on (the
//     same replica count; --chips N on fewer chips).
#include <optional>
#include <string>

#include "plan/plan.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/placement.hpp"
#include "runtime/model/model_config.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/degraded_topology.hpp"

namespace lpu::compiler {

struct Failure {
    enum class Kind { chip, link };
    Kind kind = Kind::chip;
    topology::ChipId chip = 0;  // the failed chip, or one end of the failed link
    topology::ChipId peer = 0;  // the link's other end
};

// "chip 5", "link 3-4".
std::string failure_name(const Failure& failure);

struct Failover {
    enum class Placed { kept, stand_in, regrid };
    topology::DegradedTopology system;
    CompileOptions options;  // for compile_plan on system.topology
    Placed placed = Placed::kept;
    std::optional<topology::ChipId> stand_in;  // whole-system id of the chip that took the failed one's place
    bool stand_in_is_spare = false;
};

// The placement a plan was compiled with.
Placement plan_placement(const plan::Plan& plan);

// `before` is the plan's placement on `whole`, compiled with `options`.
// lpu::Error when the failure names no chip or link of `whole`, leaves it in
// pieces, or leaves too few chips for the model (with the compiler's refusal).
Failover plan_failover(const model::ModelConfig& config, const sim::ChipSpec& spec, const topology::Topology& whole,
                       const Placement& before, const CompileOptions& options, const Failure& failure);

}  // namespace lpu::compiler
