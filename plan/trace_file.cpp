#include "plan/trace_file.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/output_file.hpp"

namespace lpu::plan {

void write_trace_file(const plan::Plan& plan, const plan::TraceOptions& options, const std::string& path,
                      const std::string& command) {
    // Built before the file is opened: a bad chip selection leaves no empty file behind.
    const nlohmann::json trace = plan::trace_events(plan, options);
    write_file(path, json_text(trace) + "\n");
    std::fprintf(stderr, "%s: wrote %s (%zu events, step at position %lld); open it in https://ui.perfetto.dev\n",
                 command.c_str(), path.c_str(), trace.at("traceEvents").size(),
                 static_cast<long long>(options.position));
}

}  // namespace lpu::plan
