#pragma once
// Plan files (.lpuplan): the magic "LPUPLAN\0" and a Cap'n Proto message
// (schema/plan.capnp). Round trips are exact (a loaded plan == the saved plan).
// Every save and load is validated (plan/validation.hpp); a truncated, corrupted or
// foreign file throws lpu::Error naming the file and the problem.
#include <string>
#include <string_view>

#include "plan/plan.hpp"

namespace lpu::plan {

// `origin` names the bytes in error messages (a file path, or "<memory>").
Plan plan_from_bytes(std::string_view bytes, const std::string& origin);
std::string plan_to_bytes(const Plan& plan);

Plan load_plan(const std::string& path);
void save_plan(const Plan& plan, const std::string& path);

}  // namespace lpu::plan
