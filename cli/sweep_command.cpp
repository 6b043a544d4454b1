// `lpu sweep`: a scaling study. Every combination of the axes (chips or
// tp x pp, replicas, topology, batch, context) is predicted like `lpu sim`
// and written as one row of DIR/sweep.csv; gnuplot then draws latency,
// throughput and chips-needed curves as SVG (study/sweep_plots.hpp).
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "base/output_file.hpp"
#include "base/progress_bar.hpp"
#include "cli/commands.hpp"
#include "sim/chip/chip_spec.hpp"
#include "cli/flag_checks.hpp"
#include "runtime/compiler/grid_choice.hpp"
#include "runtime/kernels/dtype.hpp"
#include "study/predict.hpp"
#include "study/sweep_plots.hpp"
#include "study/sweep_table.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {
namespace {

struct SweepCommandOptions {
    std::string preset;
    std::string model_path;
    std::string dtype;
    std::string spec = sim::default_chip_spec_name();
    std::string collective = "auto";
    std::vector<std::string> replicas{"auto"};
    std::int64_t prompt_tokens = 128;
    study::SweepAxes axes;
    std::string out = "sweep";
    bool plots = true;
    bool quiet = false;
};

std::vector<int> parse_replicas(const std::vector<std::string>& values) {
    std::vector<int> replicas;
    for (const std::string& value : values) {
        if (value == "auto") {
            replicas.push_back(0);
            continue;
        }
        int count = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), count);
        require(error == std::errc{} && end == value.data() + value.size() && count >= 1,
                [&] { return "--replicas: '" + value + "' is neither a positive count nor auto"; });
        replicas.push_back(count);
    }
    return replicas;
}

std::string point_label(const study::SweepPoint& point) {
    std::string label = point.chips > 0 ? std::to_string(point.chips) + " chips"
                                        : "tp " + std::to_string(point.tp) + " x pp " + std::to_string(point.pp);
    if (point.replicas != 1) label += point.replicas == 0 ? ", replicas auto" : ", " + std::to_string(point.replicas) + " replicas";
    return label + ", batch " + std::to_string(point.batch) + ", " + point.topology;
}

// The series a point belongs to in the plots: everything but its chip count.
std::string series_name(const study::SweepPoint& point, const study::SimPrediction& prediction) {
    std::string name = point.topology + ", batch " + std::to_string(point.batch) + ", context " +
                       std::to_string(prediction.context_positions);
    if (point.replicas != 1) name += point.replicas == 0 ? ", replicas auto" : ", " + std::to_string(point.replicas) + " replicas";
    return name;
}

void run_sweep(const SweepCommandOptions& options) {
    study::SimQuestion question;
    question.config = study::model_shape(options.preset, options.model_path, options.dtype, question.model_source);
    question.spec = sim::load_chip_spec(options.spec);
    question.prompt_tokens = options.prompt_tokens;
    study::SweepAxes axes = options.axes;
    axes.replicas = parse_replicas(options.replicas);
    const std::vector<study::SweepPoint> points =
        study::sweep_points(axes, compiler::default_topology_spec(study::largest_point_chips(axes)));

    std::error_code error;
    std::filesystem::create_directories(options.out, error);
    require(!error, [&] { return "cannot create the output directory '" + options.out + "': " + error.message(); });
    const auto csv_path = std::filesystem::path(options.out) / "sweep.csv";
    // An interrupted sweep keeps the rows it finished, as sweep.csv.partial.PID.
    OutputFile csv_file(csv_path.string(), OutputFile::OnInterrupt::keep);
    std::ostream& csv = csv_file.stream();
    csv << study::sweep_csv_header();

    // Built once per topology: routing keeps its distance maps in it, which
    // the compiles of every point on that system share.
    std::map<std::string, std::unique_ptr<topology::Topology>> topologies;
    std::map<int, std::optional<int>> chips_needed;  // by context positions
    study::SweepPlots plots;
    plots.model = question.config.name;
    ProgressBar progress(stderr, points.size(), !options.quiet);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const study::SweepPoint& point = points[i];
        progress.update(i, point_label(point));
        auto& topology = topologies[point.topology];
        if (!topology) topology = std::make_unique<topology::Topology>(topology::topology_from_spec(point.topology));

        question.topology_name = point.topology;
        question.topology = topology.get();
        question.compile = {point.tp, point.pp, point.chips, point.context, point.batch, point.replicas,
                            options.collective};
        const int positions = point.context == 0 ? question.config.context_length : point.context;
        if (!chips_needed.contains(positions)) {
            chips_needed[positions] = compiler::minimum_chips(question.config, question.spec, positions);
        }
        study::SimPrediction prediction;
        try {
            prediction = predict(question);
        } catch (const Error& error) {
            // A point with no grid at all (more chips than the model can be split
            // over, a grid larger than the system) is a finding of the sweep.
            prediction.config = question.config;
            prediction.spec = question.spec;
            prediction.context_positions = positions;
            prediction.batch = point.batch;
            prediction.refusal = error.what();
        }
        // Flushed row by row: an interrupted sweep keeps the rows it finished.
        csv << study::sweep_csv_row({point, chips_needed[positions], prediction}) << std::flush;
        if (prediction.predicted()) {
            const std::string series = series_name(point, prediction);
            const auto chips = static_cast<double>(prediction.chips);
            const auto& last = prediction.last_step;
            plots.latency_ms[series].push_back({chips, study::seconds(prediction, last.latency_cycles) * 1e3});
            plots.tokens_per_second[series].push_back(
                {chips, study::per_second(prediction, study::tokens_per_step(prediction), last.period_cycles)});
        }
    }
    progress.update(points.size(), "done");
    progress.finish();
    csv_file.commit();

    for (const auto& [positions, needed] : chips_needed) {
        if (needed) plots.chips_needed[std::string(kernels::dtype_name(question.config.weight_dtype)) + " weights"].push_back(
            {static_cast<double>(positions), static_cast<double>(*needed)});
    }
    std::cout << "wrote " << csv_path.string() << " (" << points.size() << " points)\n";
    if (options.plots) {
        study::draw_sweep_plots(plots, options.out);
        std::cout << "wrote latency.svg, throughput.svg and chips_needed.svg in " << options.out << "\n";
    }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
    auto options = std::make_shared<SweepCommandOptions>();
    auto* command = app.add_subcommand(
        "sweep", "Scaling study: predict a model over a grid of chips, partitions, topologies, batches and contexts");
    command->add_option("--model-preset", options->preset, "A published model shape (see lpu sim --help)");
    command->add_option("-m,--model", options->model_path, "A GGUF file: its header gives the shape")
        ->check(CLI::ExistingFile);
    command->add_option("--dtype", options->dtype,
                        "Weight types: int8, fp8, fp16, fp32 or a GGUF type/mix such as q4_k_m (default: as lpu sim)");
    command->add_option("--spec", options->spec, "Chip spec: a preset name or a JSON file")->capture_default_str();
    command->add_option("--chips", options->axes.chips, "Total chip counts, e.g. 64,576,10440 (or give --tp and --pp)")
        ->delimiter(',')
        ->check(positive_number);
    command->add_option("--tp", options->axes.tp, "Tensor-parallel degrees (every pair with --pp)")
        ->delimiter(',')
        ->check(positive_number);
    command->add_option("--pp", options->axes.pp, "Pipeline stages (every pair with --tp)")
        ->delimiter(',')
        ->check(positive_number);
    command->add_option("--replicas", options->replicas,
                        "Data-parallel replicas: counts and/or auto (the fewest the model can be split over)")
        ->delimiter(',')
        ->capture_default_str();
    command->add_option("--topology", options->axes.topologies,
                        "Systems, e.g. dragonfly:8,dragonfly:145 (default: one Dragonfly for the largest point)")
        ->delimiter(',');
    command->add_option("--batch", options->axes.batches, "Sequences per decode step and replica")
        ->delimiter(',')
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    command->add_option("--context", options->axes.contexts, "KV-cache positions (0 = the model's context length)")
        ->delimiter(',')
        ->capture_default_str()
        ->check(non_negative_number);
    command->add_option("--collective", options->collective, "All-reduce algorithm (auto = fastest)")->capture_default_str();
    command->add_option("--prompt-tokens", options->prompt_tokens, "Prompt length for the time to first token")
        ->capture_default_str()
        ->check(positive_number);
    command->add_option("-o,--out", options->out, "Directory for sweep.csv and the plots")->capture_default_str();
    command->add_flag("!--no-plots", options->plots, "Write only the CSV (no gnuplot)");
    command->add_flag("-q,--quiet", options->quiet, "No progress bar");
    command->footer(
        "One CSV row per point: the grid the compiler chose, chips needed, latency, tokens/s per user and\n"
        "aggregate, time to first token, where the time goes, utilisation and energy. A point that does\n"
        "not fit or has no grid is a row with fits = 0 and the reason; one whose plan is not in lockstep\n"
        "has in_lockstep = 0, no figures and the first violation. The same sweep writes the same CSV.\n"
        "Examples:\n"
        "  lpu sweep --model-preset llama2-70b --chips 64,128,256,512,576,1024,2048,4096,8192,10440\n"
        "  lpu sweep --model-preset llama2-7b --tp 1,2,4,8 --pp 1,2,4,8 --topology dragonfly:1 --out sweep-7b\n"
        "  lpu sweep --model-preset llama2-70b --chips 576 --batch 1,4,16 --context 1024,4096 --no-plots");
    command->callback([options] { run_sweep(*options); });
}

}  // namespace lpu::cli
