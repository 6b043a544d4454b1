#include "plan/chip_selection.hpp"

#include <string>

#include "base/error.hpp"

namespace lpu::plan {

std::set<topology::ChipId> select_chips(const Plan& plan, const std::vector<topology::ChipId>& wanted) {
    std::set<topology::ChipId> chips;
    for (const ChipProgram& program : plan.chips) chips.insert(program.chip);
    if (wanted.empty()) return chips;
    for (const topology::ChipId chip : wanted) {
        if (chips.contains(chip)) continue;
        std::string message = "chip " + std::to_string(chip) + " is not a chip of the plan";
        if (!chips.empty()) message += " (its chip ids run from " + std::to_string(*chips.begin()) + " to " + std::to_string(*chips.rbegin()) + ")";
        throw Error(message);
    }
    return {wanted.begin(), wanted.end()};
}

}  // namespace lpu::plan
