// `lpu trace --plan FILE -o OUT.json`: one step of a compiled plan as a
// Chrome/Perfetto trace (plan/trace_events.hpp): a track per chip, ops as
// slices, transfers as flows.
#include <cstdint>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "plan/plan_io.hpp"
#include "plan/trace_file.hpp"

namespace lpu::cli {
namespace {

struct TraceCommandOptions {
    std::string plan_path;
    std::string output_path;
    plan::TraceOptions trace;
};

void write_trace(const TraceCommandOptions& options) {
    plan::write_trace_file(plan::load_plan(options.plan_path), options.trace, options.output_path, "lpu trace");
}

}  // namespace

void add_trace_command(CLI::App& app) {
    auto options = std::make_shared<TraceCommandOptions>();
    auto* trace = app.add_subcommand(
        "trace", "Write one step of a plan as Chrome/Perfetto trace JSON: a track per chip, ops as slices, transfers as flows");
    trace->add_option("--plan", options->plan_path, "Plan file (.lpuplan) written by lpu compile")->required();
    trace->add_option("-o,--output", options->output_path, "Trace file to write (JSON)")->required();
    trace->add_option("--position", options->trace.position, "Sequence position of the step (attention grows with it)")
        ->capture_default_str()
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
    trace->add_option("--chips", options->trace.chips, "Only these chips, e.g. 0,3,5 (default: every chip)")
        ->delimiter(',');
    trace->add_option("--clock-hz", options->trace.clock_hz, "Chip clock that turns cycles into trace time")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 1e15));
    trace->footer("Example:\n  lpu trace --plan story.lpuplan --chips 0,1 -o story-trace.json");
    trace->callback([options] { write_trace(*options); });
}

}  // namespace lpu::cli
