#pragma once
// `lpu sim`: one prediction (predict.hpp) of a model's shape on the system the
// options describe, and, when asked, one decode step of its plan as a
// Chrome/Perfetto trace, and what a chip or link failing mid-sequence costs
// (failover.hpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/compiler/compile.hpp"
#include "study/failover.hpp"
#include "study/prediction_report.hpp"
#include "topology/topology.hpp"

namespace lpu::study {

struct SimRequest {
    std::string preset;        // a published model shape, or
    std::string model_path;    // a GGUF file whose header gives it
    std::string dtype;         // weight types (empty: int8 for a preset, the file's own)
    std::string spec;          // chip spec: a preset name or a JSON file
    std::string topology;      // empty: the default for the chips the options ask for
    compiler::CompileOptions compile;
    std::int64_t prompt_tokens = 128;
    double expert_skew = 0.0;  // a mixture of experts' assumed routing (expert_load_estimate.hpp)
    std::string trace_path;                      // empty: no trace
    std::vector<topology::ChipId> trace_chips;   // empty: every chip
    std::optional<std::int64_t> trace_position;  // default: the last position of the context
    std::optional<FailoverRequest> failure;      // --fail
};

struct SimResult {
    SimPrediction prediction;
    // With a failure in the request and a plan that was predicted: the plan
    // recompiled around it.
    std::optional<FailoverPrediction> failover;
};

// The prediction. Without chips, tp and pp in the compile options, the system
// has the fewest chips whose SRAM holds the model, and `on_note` hears so. A
// model that does not fit is a result (the refusal); asking for a trace of it
// is an lpu::Error, as is any other bad input, and so is a failure that names
// no part of the system or leaves it unable to hold the model.
SimResult simulate(const SimRequest& request, const std::function<void(const std::string&)>& on_note = {});

}  // namespace lpu::study
