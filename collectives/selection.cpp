#include "collectives/selection.hpp"

#include <cstdio>

#include "base/error.hpp"
#include "collectives/algorithms/registry.hpp"
#include "collectives/conflict_check.hpp"

namespace lpu::collectives {

Selection select_schedule(const FabricTiming& fabric, const Request& request, const std::string& algorithm,
                          const std::function<void(const std::string&)>& on_candidate) {
    const auto& topology = fabric.topology();
    std::vector<const Algorithm*> tried;
    if (algorithm == "auto") {
        for (const auto& each : all_algorithms()) tried.push_back(each.get());
    } else {
        tried.push_back(&find_algorithm(algorithm));
    }
    Selection selection;
    std::optional<std::size_t> best;
    for (const Algorithm* candidate : tried) {
        Candidate row{candidate->name(), std::nullopt, 0, ""};
        if (on_candidate) on_candidate(candidate->name());
        if (auto reason = candidate->unsupported_reason(topology, request)) {
            require(algorithm == "auto", candidate->name() + " cannot serve this request: " + *reason);
            row.reason = *reason;
            selection.candidates.push_back(row);
            continue;
        }
        Schedule schedule;
        try {
            schedule = candidate->build(topology, request);
        } catch (const Error& e) {
            if (algorithm != "auto") throw;
            row.reason = e.what();
            selection.candidates.push_back(row);
            continue;
        }
        const auto timing = time_and_check(schedule, fabric);
        row.emulated_ps = timing.total_ps;
        row.steps = schedule.steps.size();
        selection.candidates.push_back(row);
        if (!best || timing.total_ps < selection.emulated_ps) {
            best = selection.candidates.size() - 1;
            selection.emulated_ps = timing.total_ps;
            selection.schedule = std::move(schedule);
        }
    }
    require(best.has_value(), "no collective algorithm can serve " + op_name(request.op) + " here");
    selection.chosen = *best;
    return selection;
}

std::string explain(const Selection& selection) {
    std::string text = "  algorithm          steps   emulated_us  note\n";
    for (std::size_t i = 0; i < selection.candidates.size(); ++i) {
        const auto& row = selection.candidates[i];
        char line[160];
        if (row.emulated_ps) {
            std::snprintf(line, sizeof line, "%s %-17s %6zu %13.3f  %s\n", i == selection.chosen ? "*" : " ",
                          row.algorithm.c_str(), row.steps, static_cast<double>(*row.emulated_ps) / 1e6,
                          i == selection.chosen ? "chosen" : "");
            text += line;
        } else {
            std::snprintf(line, sizeof line, "  %-17s %6s %13s  ", row.algorithm.c_str(), "-", "-");
            text += line + row.reason + "\n";
        }
    }
    return text;
}

}  // namespace lpu::collectives
