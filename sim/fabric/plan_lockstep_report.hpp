#pragma once
// What `lpu plan check` prints of a plan's lockstep check (plan_lockstep.hpp):
// the steps and fabric checked, the transfers, the worst margin and the
// violations, as text (the first few described) or JSON (all of them).
#include <string>

#include "sim/fabric/plan_lockstep.hpp"

namespace lpu::sim {

// The report of `result`, the check `config` ran on the plan read from `plan_path`.
std::string plan_lockstep_report(const std::string& plan_path, const PlanLockstepConfig& config,
                                 const PlanLockstepResult& result, bool json);

}  // namespace lpu::sim
