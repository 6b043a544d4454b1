#pragma once
// One step of a plan in the Chrome/Perfetto trace-event JSON format, to look at
// a schedule in ui.perfetto.dev or chrome://tracing. Each chip is a process
// named "chip N (tp r, stage s)" with two threads: "ops" holds computes and
// deskews as slices (collectives and syncs as instants), "transfers" holds a
// short slice for every send and recv, and a flow arrow joins each send to its
// recv. Times are microseconds at the given clock; args carry the exact cycles.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"

namespace lpu::plan {

struct TraceOptions {
    std::int64_t position = 0;            // the sequence position to retime the plan for
    double clock_hz = 900e6;              // converts cycles to microseconds
    std::vector<topology::ChipId> chips;  // the chips to show; empty: every chip
};

// {"traceEvents": [...], "displayTimeUnit": "ns"}. Flows whose send or recv is
// on a chip left out are left out. Throws lpu::Error for a clock that is not
// positive and finite, a chip that is not in the plan, and what retime throws.
nlohmann::json trace_events(const Plan& plan, const TraceOptions& options);

}  // namespace lpu::plan
