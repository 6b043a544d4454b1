#pragma once
// Writing one step of a plan to a Perfetto/Chrome trace file, for every command
// that offers it (`lpu trace` on a plan file, `lpu sim --trace` on the plan it
// compiled), so both write the same events and report them the same way.
#include <string>

#include "plan/plan.hpp"
#include "plan/trace_events.hpp"

namespace lpu::plan {

// Writes plan::trace_events(plan, options) to `path` and tells stderr what was
// written, prefixed by `command` ("lpu trace"). Throws lpu::Error when the file
// cannot be written, and what trace_events throws (a chip not in the plan).
void write_trace_file(const plan::Plan& plan, const plan::TraceOptions& options, const std::string& path,
                      const std::string& command);

}  // namespace lpu::plan
