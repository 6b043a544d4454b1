#include "sim/fabric/plan_lockstep_report.hpp"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"

namespace lpu::sim {
namespace {

// Text reports describe this many violations and count the rest.
constexpr std::size_t violations_described = 5;

std::string report_json(const std::string& plan_path, const PlanLockstepConfig& config,
                        const PlanLockstepResult& result) {
    nlohmann::json violations = nlohmann::json::array();
    for (const LockstepViolation& violation : result.report.violations) violations.push_back(describe(violation));
    const nlohmann::json out = {
        {"plan", plan_path},
        {"steps", config.steps},
        {"first_position", config.first_position},
        {"seed", config.seed},
        {"crystal_ppm", config.drift.crystal_ppm},
        {"start_cycle", result.start_cycle},
        {"end_cycle", result.end_cycle},
        {"transfers", result.report.transfers},
        {"violations", violations},
        {"worst_margin_cycles", result.worst_margin_cycles},
        {"ok", result.report.ok()},
    };
    return json_text(out, 2) + "\n";
}

std::string report_text(const std::string& plan_path, const PlanLockstepConfig& config,
                        const PlanLockstepResult& result) {
    const auto& violations = result.report.violations;
    std::ostringstream out;
    out << "plan:        " << plan_path << ", " << config.steps << " steps from position " << config.first_position
        << "\n"
        << "fabric:      crystals +-" << config.drift.crystal_ppm << " ppm, seed " << config.seed
        << ", aligned; steps run from cycle " << result.start_cycle << " to " << result.end_cycle << "\n"
        << "transfers:   " << result.report.transfers << " checked\n"
        << "worst margin: " << result.worst_margin_cycles << " cycles (last vector before its read)\n"
        << "violations:  " << violations.size() << "\n";
    const std::size_t shown = std::min(violations.size(), violations_described);
    for (std::size_t i = 0; i < shown; ++i) out << "  " << describe(violations[i]) << "\n";
    if (violations.size() > shown) out << "  ... and " << violations.size() - shown << " more\n";
    out << (result.report.ok() ? "in lockstep\n" : "NOT in lockstep\n");
    return out.str();
}

}  // namespace

std::string plan_lockstep_report(const std::string& plan_path, const PlanLockstepConfig& config,
                                 const PlanLockstepResult& result, bool json) {
    return json ? report_json(plan_path, config, result) : report_text(plan_path, config, result);
}

}  // namespace lpu::sim
