#include "study/predict.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/prefill_timing.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/model_presets.hpp"
#include "sim/fabric/plan_lockstep.hpp"

namespace lpu::study {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The compiler refuses a model that does not fit SRAM with a message naming the
// shortfall ("short by N bytes", and the minimum chip count when it can tell).
bool is_sram_refusal(const Error& error) {
    return std::string(error.what()).find("(short by ") != std::string::npos;
}

}  // namespace

model::ModelConfig model_shape(const std::string& preset, const std::string& model_path, const std::string& dtype,
                               std::string& source) {
    require(preset.empty() != model_path.empty(), "give exactly one of --model-preset and --model");
    model::ModelConfig config;
    if (!preset.empty()) {
        config = model::model_preset(preset).config;
        model::set_weight_types(config, dtype.empty() ? "int8" : dtype);
        source = "preset " + preset;
    } else {
        // Opening validates the header and maps the tensors; only the config is used.
        config = model::open_model(model_path)->config();
        if (!dtype.empty()) model::set_weight_types(config, dtype);
        source = model_path;
    }
    return config;
}

SimPrediction predict(const SimQuestion& question, const std::function<void(const plan::Plan&)>& on_plan) {
    require(question.topology != nullptr, "predict needs a topology");
    SimPrediction prediction;
    prediction.config = question.config;
    prediction.model_source = question.model_source;
    prediction.spec = question.spec;
    prediction.topology = question.topology_name;
    const compiler::CompileOptions& compile = question.compile;
    prediction.context_positions = compile.positions == 0 ? prediction.config.context_length : compile.positions;
    prediction.batch = compile.batch;

    const auto compile_start = std::chrono::steady_clock::now();
    std::optional<plan::Plan> plan;
    try {
        plan = compiler::compile_plan(prediction.config, compiler::shape_fingerprint(prediction.config),
                                      {question.topology, prediction.topology, &prediction.spec}, compile);
    } catch (const Error& error) {
        if (!is_sram_refusal(error)) throw;
        prediction.refusal = error.what();
    }
    prediction.compile_seconds = seconds_since(compile_start);
    if (!plan) return prediction;
    if (on_plan) on_plan(*plan);
    const auto lockstep_start = std::chrono::steady_clock::now();
    prediction.lockstep = sim::verify_plan_lockstep(*plan, *question.topology, prediction.spec);
    prediction.lockstep_seconds = seconds_since(lockstep_start);
    if (!prediction.lockstep->ok()) return prediction;

    const auto study_start = std::chrono::steady_clock::now();
    prediction.grid = plan->grid;
    prediction.chips = static_cast<std::int64_t>(plan->chips.size());
    prediction.fullest_chip_sram_bytes = fullest_chip_sram_bytes(*plan);
    const plan::Retimer retimer(*plan);
    const collectives::FabricTiming fabric(*question.topology, prediction.spec);
    prediction.first_step = study_step(*plan, retimer, 0, fabric, prediction.spec);
    prediction.last_step = study_step(*plan, retimer, plan->context_positions - 1, fabric, prediction.spec);
    prediction.prompt_tokens = std::min(question.prompt_tokens, plan->context_positions);
    const compiler::PrefillCycles prefill = compiler::prefill_cycles(*plan, retimer, prediction.prompt_tokens);
    prediction.ttft_cycles = prefill.sequential;
    prediction.pipelined_ttft_cycles = prefill.pipelined_lower_bound;
    prediction.study_seconds = seconds_since(study_start);
    return prediction;
}

}  // namespace lpu::study
