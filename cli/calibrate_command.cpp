// `lpu calibrate`: fit one or two chip spec fields to measurements
// (study/calibration.hpp does the work; this file parses, prints and writes).
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/output_file.hpp"
#include "base/progress_bar.hpp"
#include "cli/commands.hpp"
#include "study/calibration.hpp"

namespace lpu::cli {
namespace {

struct CalibrateOptions {
    std::string measurements;
    std::vector<std::string> fit;
    std::string spec = "tsp-v1";
    std::string name = "tsp-v1-calibrated";
    std::string output;
    bool json = false;
    bool quiet = false;
};

std::string percent(double fraction) {
    char text[32];
    std::snprintf(text, sizeof text, "%+.1f%%", fraction * 100.0);
    return text;
}

std::string calibration_text(const study::Calibration& result) {
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
                      static_cast<long long>(m.chips), study::metric_name(m.metric), m.value, row.predicted,
                      percent(row.relative_error).c_str(),
                      row.leave_one_out_error ? percent(*row.leave_one_out_error).c_str() : "-");
        text += line;
    }
    std::snprintf(line, sizeof line, "\n%zu predictions; spec '%s'\n", result.evaluations, result.spec.name.c_str());
    return text + line;
}

nlohmann::json calibration_json(const study::Calibration& result) {
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
                        {"metric", study::metric_name(m.metric)},
                        {"measured", m.value},
                        {"predicted", row.predicted},
                        {"relative_error", row.relative_error},
                        {"leave_one_out_error", row.leave_one_out_error ? nlohmann::json(*row.leave_one_out_error)
                                                                        : nlohmann::json(nullptr)},
                        {"source", m.source}});
    }
    return {{"fitted", fitted}, {"rows", rows}, {"spec", sim::to_json(result.spec)}, {"predictions", result.evaluations}};
}

void run_calibrate(const CalibrateOptions& options) {
    const auto rows = study::read_measurements(options.measurements);
    std::vector<study::FitField> fields;
    for (const auto& text : options.fit) fields.push_back(study::parse_fit_field(text));
    std::optional<ProgressBar> progress;  // its total is known at the first prediction
    const auto result = study::calibrate(rows, fields, sim::load_chip_spec(options.spec), options.name,
                                         [&](std::size_t done, std::size_t total, const std::string& label) {
                                             if (!progress) progress.emplace(stderr, total, !options.quiet);
                                             progress->update(done, label);
                                         });
    if (progress) progress->finish();
    if (!options.output.empty()) {
        OutputFile file(options.output);
        nlohmann::json document = sim::to_json(result.spec);
        document["base"] = "tsp-v1";
        file.stream() << json_text(document, 2) << "\n";
        file.commit();
    }
    std::cout << (options.json ? json_text(calibration_json(result), 2) + "\n" : calibration_text(result));
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
    auto options = std::make_shared<CalibrateOptions>();
    auto* command = app.add_subcommand("calibrate", "Fit chip spec fields to measured inference figures");
    command->add_option("measurements", options->measurements,
                        "CSV of measurements: model,dtype,context,chips,topology,batch,metric,value,source "
                        "(examples/calibration/published.csv)")
        ->required();
    command->add_option("--fit", options->fit, "A spec field and its range, NAME=LOW:HIGH (one or two --fit)")
        ->required();
    command->add_option("--spec", options->spec, "The spec the fit starts from: a preset or a JSON file")
        ->capture_default_str();
    command->add_option("--name", options->name, "Name of the calibrated spec")->capture_default_str();
    command->add_option("-o,--output", options->output, "Write the calibrated spec file here");
    command->add_flag("--json", options->json, "Machine-readable output");
    command->add_flag("-q,--quiet", options->quiet, "No progress bar");
    command->callback([options] { run_calibrate(*options); });
    command->footer(
        "Examples:\n"
        "  lpu calibrate examples/calibration/published.csv --fit mxm_weight_install_bytes_per_cycle=100:100000\n"
        "  lpu calibrate rows.csv --fit mxm_weight_install_bytes_per_cycle=100:100000 --fit link_latency_mean_cycles=300:900 "
        "--json -o calibrated.json");
}

}  // namespace lpu::cli
