#include "study/calibration_report.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"

namespace lpu::study {
namespace {

std::string percent(double fraction) {
    char text[32];
    std::snprintf(text, sizeof text, "%+.1f%%", fraction * 100.0);
    return text;
}

std::string calibration_text(const Calibration& result) {
    std::string text = "fitted:\n";
    char line[512];
    for (std::size_t i = 0; i < result.fields.size(); ++i) {
        std::snprintf(line, sizeof line, "  %s = %.6g  (searched %g..%g)\n", result.fields[i].name.c_str(),
                      result.values[i], result.fields[i].low, result.fields[i].high);
        text += line;
    }
    text += "\n  row  model          chips  metric                         measured   predicted   error  leave-one-out\n";
    for (const auto& row : result.rows) {
        const auto& m = row.measurement;
        std::snprintf(line, sizeof line, "  %3zu  %-13s %6lld  %-28s %10.4g  %10.4g  %6s  %s\n", m.row, m.model.c_str(),
                      static_cast<long long>(m.chips), metric_name(m.metric), m.value, row.predicted,
                      percent(row.relative_error).c_str(),
                      row.leave_one_out_error ? percent(*row.leave_one_out_error).c_str() : "-");
        text += line;
    }
    std::snprintf(line, sizeof line, "\n%zu predictions; spec '%s'\n", result.evaluations, result.spec.name.c_str());
    return text + line;
}

nlohmann::json calibration_json(const Calibration& result) {
    nlohmann::json fitted = nlohmann::json::object();
    for (std::size_t i = 0; i < result.fields.size(); ++i) {
        fitted[result.fields[i].name] = {{"value", result.values[i]},
                                         {"low", result.fields[i].low},
                                         {"high", result.fields[i].high}};
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : result.rows) {
        const auto& m = row.measurement;
        rows.push_back({{"row", m.row},
                        {"model", m.model},
                        {"chips", m.chips},
                        {"topology", m.topology},
                        {"context", m.context},
                        {"batch", m.batch},
                        {"metric", metric_name(m.metric)},
                        {"measured", m.value},
                        {"predicted", row.predicted},
                        {"relative_error", row.relative_error},
                        {"leave_one_out_error", row.leave_one_out_error ? nlohmann::json(*row.leave_one_out_error)
                                                                        : nlohmann::json(nullptr)},
                        {"source", m.source}});
    }
    return {{"fitted", fitted}, {"rows", rows}, {"spec", sim::to_json(result.spec)}, {"predictions", result.evaluations}};
}

}  // namespace

std::string calibration_report(const Calibration& result, bool json) {
    return json ? json_text(calibration_json(result), 2) + "\n" : calibration_text(result);
}

std::string calibrated_spec_file(const Calibration& result) {
    // Every field is written, so the file does not depend on a base preset.
    return json_text(sim::to_json(result.spec), 2) + "\n";
}

}  // namespace lpu::study
