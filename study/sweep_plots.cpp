#include "study/sweep_plots.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "base/error.hpp"
#include "base/output_file.hpp"

namespace lpu::study {
namespace {

// A gnuplot string literal (single quotes; a quote is doubled).
std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

std::string number(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.9g", value);
    return text;
}

// One plot: a named inline data block per series, then one `plot` over them.
void write_plot(std::ostream& script, const std::string& file, const std::string& title, const std::string& x_label,
                const std::string& y_label, const PlotSeries& series, bool log_y) {
    script << "\nset output " << quoted(file) << "\nset title " << quoted(title) << "\nset xlabel "
           << quoted(x_label) << "\nset ylabel " << quoted(y_label) << "\n"
           << (log_y ? "set logscale y\n" : "unset logscale y\n");
    if (series.empty()) {
        script << "set label 1 'no point of the sweep fits' at graph 0.5, 0.5 center\nplot NaN notitle\nunset label 1\n";
        return;
    }
    std::size_t index = 0;
    std::string plot = "plot ";
    for (const auto& [name, points] : series) {
        auto sorted = points;
        std::sort(sorted.begin(), sorted.end(), [](const PlotPoint& a, const PlotPoint& b) { return a.x < b.x; });
        std::string block = "$series";
        block.append(std::to_string(index));
        script << block << " << EOD\n";
        for (const PlotPoint& point : sorted) script << number(point.x) << ' ' << number(point.y) << "\n";
        script << "EOD\n";
        if (index > 0) plot.append(", ");
        plot.append(block).append(" using 1:2 with linespoints title ").append(quoted(name));
        ++index;
    }
    script << plot << "\n";
}

// Runs gnuplot on the script inside `directory`, without a shell.
void run_gnuplot(const std::string& directory) {
    const pid_t child = fork();
    require(child >= 0, "cannot start gnuplot: fork failed");
    if (child == 0) {
        if (chdir(directory.c_str()) != 0) _exit(126);
        // gnuplot's warnings (a series of one point has an empty range) go to a log.
        if (std::FILE* log = std::freopen("gnuplot.log", "w", stderr); !log) _exit(126);
        execlp("gnuplot", "gnuplot", "plots.gp", static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    require(WIFEXITED(status) && WEXITSTATUS(status) != 127,
            "cannot run gnuplot to draw the plots: install gnuplot-nox (scripts/install-deps) or pass --no-plots");
    require(WEXITSTATUS(status) == 0, [&] {
        const auto dir = std::filesystem::path(directory);
        return "gnuplot failed on " + (dir / "plots.gp").string() + ": see " + (dir / "gnuplot.log").string();
    });
}

}  // namespace

void draw_sweep_plots(const SweepPlots& plots, const std::string& directory) {
    const auto script_path = std::filesystem::path(directory) / "plots.gp";
    {
        OutputFile file(script_path.string());
        std::ostream& script = file.stream();
        script << "# Plots of an lpu sweep; redraw with: gnuplot plots.gp\n"
                  "set terminal svg size 900,560 dynamic font 'sans,12'\n"
                  "set grid\nset key outside right top\nset logscale x 2\n";
        write_plot(script, "latency.svg", plots.model + ": per-token latency (last position)", "chips",
                   "latency per token (ms)", plots.latency_ms, false);
        write_plot(script, "throughput.svg", plots.model + ": aggregate decode throughput", "chips", "tokens/s",
                   plots.tokens_per_second, true);
        script << "\nunset logscale x\n";
        write_plot(script, "chips_needed.svg", plots.model + ": chips needed to hold the model",
                   "context (KV-cache positions)", "chips", plots.chips_needed, false);
        file.commit();
    }
    run_gnuplot(directory);
}

}  // namespace lpu::study
