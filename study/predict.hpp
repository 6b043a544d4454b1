#pragma once
// One prediction of `lpu sim` and of each point of `lpu sweep`: compile the
// model's shape for the system (a shape fingerprint stands in for the weights,
// which are never read) and time the plan the way the runtime times it
// (study/step_study.hpp). A model that does not fit SRAM is a result,
// the compiler's refusal; any other compile error is bad input and throws.
#include <cstdint>
#include <functional>
#include <string>

#include "plan/plan.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/model/model_config.hpp"
#include "sim/chip/chip_spec.hpp"
#include "study/prediction_report.hpp"
#include "topology/topology.hpp"

namespace lpu::study {

struct SimQuestion {
    model::ModelConfig config;
    std::string model_source;      // "preset NAME" or a GGUF file's path
    sim::ChipSpec spec;
    std::string topology_name;     // as given ("dragonfly:8", a file)
    const topology::Topology* topology = nullptr;
    compiler::CompileOptions compile;
    std::int64_t prompt_tokens = 128;  // for the time to first token (capped at the context)
};

// The shape to plan: a preset (weights int8 unless `dtype` names another) or the
// header of a GGUF file (its own dtype unless `dtype` names another). Exactly one
// of preset and model_path. `source` says which, for the report.
model::ModelConfig model_shape(const std::string& preset, const std::string& model_path, const std::string& dtype,
                               std::string& source);

// `on_plan`, when given, sees the compiled plan before it is timed (lpu sim --trace).
SimPrediction predict(const SimQuestion& question, const std::function<void(const plan::Plan&)>& on_plan = {});

}  // namespace lpu::study
