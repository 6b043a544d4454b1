// `lpu calibrate`: fit one or two chip spec fields to measurements
// (study/calibration.hpp does the work, study/calibration_report.hpp says it;
// this file parses the flags, shows progress and writes).
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/output_file.hpp"
#include "base/progress_bar.hpp"
#include "cli/commands.hpp"
#include "study/calibration.hpp"
#include "study/calibration_report.hpp"

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
    if (!options.output.empty()) write_file(options.output, study::calibrated_spec_file(result));
    std::cout << study::calibration_report(result, options.json);
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
