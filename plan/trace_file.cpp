#include "plan/trace_file.hpp"

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace lpu::cli {

void write_trace_file(const plan::Plan& plan, const plan::TraceOptions& options, const std::string& path,
                      const std::string& command) {
    // Built before the file is opened: a bad chip selection leaves no empty file behind.
    const nlohmann::json trace = plan::trace_events(plan, options);
    std::string cannot_write = "cannot write trace file '";
    cannot_write.append(path).append("'");
    std::ofstream out(path, std::ios::trunc);
    require(out.good(), cannot_write);
    out << trace.dump() << "\n";
    require(out.good(), cannot_write);
    std::fprintf(stderr, "%s: wrote %s (%zu events, step at position %lld); open it in https://ui.perfetto.dev\n",
                 command.c_str(), path.c_str(), trace.at("traceEvents").size(),
                 static_cast<long long>(options.position));
}

}  // namespace lpu::cli
