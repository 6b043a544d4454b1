#pragma once
// The chips a user asked to look at (`--chips 0,3,5`), checked against a plan.
#include <set>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::plan {

// The chip ids of `wanted`, or every chip of the plan when `wanted` is empty.
// Throws lpu::Error naming a chip that is not in the plan.
std::set<topology::ChipId> select_chips(const Plan& plan, const std::vector<topology::ChipId>& wanted);

}  // namespace lpu::plan
