#pragma once
// The fabric figures `lpu run` reports for the decode steps it ran
// (sim/fabric/plan_fabric.hpp): the plan's steps on drifting crystals aligned by the
// RealScale protocol, as `lpu plan check --steps N --seed S` checks them. In
// one process they come from the whole fabric; in a run spread over processes
// each process runs the protocol for the chips it hosts, its messages over the
// run's transport (sim/fabric/chip_fabric.hpp), and rank 0 merges the figures.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collectives/transport.hpp"
#include "plan/plan.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_fabric.hpp"
#include "topology/topology.hpp"

namespace lpu::launch {

// The fabric of a run: the crystals' seed (--fabric-seed) and the steps run.
// In one process the figures are sim::plan_fabric_figures(plan, topology, spec, config).
sim::PlanLockstepConfig run_fabric_config(std::uint64_t seed, int positions);

// This process's share: the chips with fabric_ranks[chip] == rank
// (fabric_rank_of_chip); every process of the run calls it.
sim::FabricFigures hosted_fabric_figures(const plan::Plan& plan, const topology::Topology& topology,
                                         const sim::ChipSpec& spec, const sim::PlanLockstepConfig& config,
                                         const std::vector<int>& fabric_ranks, int rank,
                                         collectives::Transport& transport);

nlohmann::json fabric_json(const sim::FabricFigures& figures);
// Throws lpu::Error naming the first missing or mistyped field.
sim::FabricFigures fabric_from_json(const nlohmann::json& json);
// "fabric over 256 steps: max skew 3 cycles | ...", the summary line.
std::string fabric_summary(const sim::FabricFigures& figures);

}  // namespace lpu::launch
