#pragma once
// `lpu plan show` for people: the plan's identity, one line per chip, each
// chip's instruction counts and SRAM map, and the critical path, as aligned tables.
#include <string>

#include "plan/plan_summary.hpp"

namespace lpu::plan {

std::string summary_text(const PlanSummary& summary);

}  // namespace lpu::plan
