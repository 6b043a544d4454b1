#pragma once
// SVG plots of a sweep, drawn by gnuplot: per-token latency and aggregate
// throughput against chips (one line per topology / batch / context /
// replicas series), and the chips a model needs against its context length.
// The gnuplot script is written next to the plots (plots.gp), with the data
// inline, so a user can restyle and redraw them without rerunning the sweep.
#include <map>
#include <string>
#include <vector>

namespace lpu::study {

struct PlotPoint {
    double x = 0.0;
    double y = 0.0;
};

// series title -> points (plotted in x order)
using PlotSeries = std::map<std::string, std::vector<PlotPoint>>;

struct SweepPlots {
    std::string model;  // for the titles
    PlotSeries latency_ms;            // x: chips
    PlotSeries tokens_per_second;     // x: chips (aggregate)
    PlotSeries chips_needed;          // x: context positions
};

// Writes DIR/plots.gp and runs gnuplot in DIR, which draws latency.svg,
// throughput.svg and chips_needed.svg there (gnuplot's messages: gnuplot.log). Throws lpu::Error when gnuplot
// cannot be run or fails.
void draw_sweep_plots(const SweepPlots& plots, const std::string& directory);

}  // namespace lpu::study
