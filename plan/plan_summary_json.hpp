#pragma once
// `lpu plan show --json`: the PlanSummary as one JSON object. Hashes are hex
// strings ("0x..."), since JSON readers lose 64-bit integers beyond 2^53.
#include <nlohmann/json.hpp>

#include "plan/plan_summary.hpp"

namespace lpu::plan {

nlohmann::json summary_json(const PlanSummary& summary);

}  // namespace lpu::plan
