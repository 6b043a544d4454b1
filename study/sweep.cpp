#include "study/sweep.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "base/error.hpp"
#include "base/output_file.hpp"
#include "base/progress_bar.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/grid_choice.hpp"
#include "runtime/kernels/dtype.hpp"
#include "study/predict.hpp"
#include "study/sweep_plots.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::study {
namespace {

std::string point_label(const SweepPoint& point) {
    std::string label = point.chips > 0 ? std::to_string(point.chips) + " chips"
                                        : "tp " + std::to_string(point.tp) + " x pp " + std::to_string(point.pp);
    if (point.replicas != 1) label += point.replicas == 0 ? ", replicas auto" : ", " + std::to_string(point.replicas) + " replicas";
    return label + ", batch " + std::to_string(point.batch) + ", " + point.topology;
}

// The series a point belongs to in the plots: everything but its chip count.
std::string series_name(const SweepPoint& point, const SimPrediction& prediction) {
    std::string name = point.topology + ", batch " + std::to_string(point.batch) + ", context " +
                       std::to_string(prediction.context_positions);
    if (point.replicas != 1) name += point.replicas == 0 ? ", replicas auto" : ", " + std::to_string(point.replicas) + " replicas";
    return name;
}

// A point with no grid at all (more chips than the model can be split over, a
// grid larger than the system) is a finding of the sweep, not an error.
SimPrediction predict_or_refuse(const SimQuestion& question, int positions, int batch) {
    try {
        return predict(question);
    } catch (const Error& error) {
        SimPrediction refused;
        refused.config = question.config;
        refused.spec = question.spec;
        refused.context_positions = positions;
        refused.batch = batch;
        refused.refusal = error.what();
        return refused;
    }
}

}  // namespace

void run_sweep(const SweepRequest& request, std::ostream& out) {
    SimQuestion question;
    question.config = model_shape(request.preset, request.model_path, request.dtype, question.model_source);
    question.spec = sim::load_chip_spec(request.spec);
    question.prompt_tokens = request.prompt_tokens;
    const std::vector<SweepPoint> points =
        sweep_points(request.axes, compiler::default_topology_spec(largest_point_chips(request.axes)));

    std::error_code error;
    std::filesystem::create_directories(request.out_dir, error);
    require(!error, [&] { return "cannot create the output directory '" + request.out_dir + "': " + error.message(); });
    const auto csv_path = std::filesystem::path(request.out_dir) / "sweep.csv";
    // An interrupted sweep keeps the rows it finished, as sweep.csv.partial.PID.
    OutputFile csv_file(csv_path.string(), OutputFile::OnInterrupt::keep);
    std::ostream& csv = csv_file.stream();
    csv << sweep_csv_header();

    // Built once per topology: routing keeps its distance maps in it, which
    // the compiles of every point on that system share.
    std::map<std::string, std::unique_ptr<topology::Topology>> topologies;
    std::map<int, std::optional<int>> chips_needed;  // by context positions
    SweepPlots plots;
    plots.model = question.config.name;
    ProgressBar progress(stderr, points.size(), request.progress);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const SweepPoint& point = points[i];
        progress.update(i, point_label(point));
        auto& topology = topologies[point.topology];
        if (!topology) topology = std::make_unique<topology::Topology>(topology::topology_from_spec(point.topology));

        question.topology_name = point.topology;
        question.topology = topology.get();
        question.compile = {point.tp, point.pp, point.chips, point.context, point.batch, point.replicas,
                            request.collective, {}};
        const int positions = point.context == 0 ? question.config.context_length : point.context;
        if (!chips_needed.contains(positions)) {
            chips_needed[positions] = compiler::minimum_chips(question.config, question.spec, positions);
        }
        const SimPrediction prediction = predict_or_refuse(question, positions, point.batch);
        // Flushed row by row: an interrupted sweep keeps the rows it finished.
        csv << sweep_csv_row({point, chips_needed[positions], prediction}) << std::flush;
        if (prediction.predicted()) {
            const std::string series = series_name(point, prediction);
            const auto chips = static_cast<double>(prediction.chips);
            const auto& last = prediction.last_step;
            plots.latency_ms[series].push_back({chips, seconds(prediction, last.latency_cycles) * 1e3});
            plots.tokens_per_second[series].push_back(
                {chips, per_second(prediction, tokens_per_step(prediction), last.period_cycles)});
        }
    }
    progress.update(points.size(), "done");
    progress.finish();
    csv_file.commit();

    for (const auto& [positions, needed] : chips_needed) {
        if (needed) plots.chips_needed[std::string(kernels::dtype_name(question.config.weight_dtype)) + " weights"].push_back(
            {static_cast<double>(positions), static_cast<double>(*needed)});
    }
    out << "wrote " << csv_path.string() << " (" << points.size() << " points)\n";
    if (request.plots) {
        draw_sweep_plots(plots, request.out_dir);
        out << "wrote latency.svg, throughput.svg and chips_needed.svg in " << request.out_dir << "\n";
    }
}

}  // namespace lpu::study
