#pragma once
// What `lpu sim` prints: a model's predicted behaviour on a system, as text or
// as one JSON object. Either the model fits (then the compiled plan's lockstep
// check and, when it is in lockstep, its timing, study/step_study.hpp) or
// the compiler's refusal, with the minimum chip count it names, is the result.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"
#include "runtime/model/model_config.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_lockstep.hpp"
#include "study/expert_load_estimate.hpp"
#include "study/step_study.hpp"

namespace lpu::study {

struct SimPrediction {
    // The question.
    model::ModelConfig config;
    std::string model_source;  // "preset NAME" or the GGUF file's path
    sim::ChipSpec spec;
    std::string topology;
    std::int64_t context_positions = 0;
    std::int64_t batch = 1;
    std::optional<std::string> refusal;  // the compiler's refusal when the model does not fit
    // When it fits: the plan's lockstep check (sim/fabric/plan_lockstep.hpp). A plan
    // that is not in lockstep gives no prediction: its figures would time a
    // program that does not compute what it claims.
    std::optional<sim::PlanLockstepVerdict> lockstep;
    bool predicted() const { return !refusal && lockstep && lockstep->ok(); }

    // The answer when it fits.
    plan::Grid grid;
    std::int64_t chips = 0;
    std::int64_t fullest_chip_sram_bytes = 0;
    StepStudy first_step;  // position 0
    StepStudy last_step;   // the last position of the context (the slowest step)
    std::int64_t prompt_tokens = 0;
    // Time to first token: the prompt as the successive decode steps `lpu run`
    // takes, and a lower bound with its tokens pipelined through the stages
    // (runtime/compiler/prefill_timing.hpp).
    std::int64_t ttft_cycles = 0;
    std::int64_t pipelined_ttft_cycles = 0;
    // A mixture of experts: the load its router would spread under the
    // assumed routing distribution (what `lpu run` reports from real tokens).
    std::optional<ExpertLoadEstimate> expert_load;

    double compile_seconds = 0.0;  // host wall time to compile the plan
    double lockstep_seconds = 0.0; // host wall time to check its lockstep
    double study_seconds = 0.0;    // host wall time to time it
};

// The arithmetic of the report, shared with `lpu sweep`'s table and plots.
double seconds(const SimPrediction& prediction, std::int64_t cycles);  // at the spec's clock
double per_second(const SimPrediction& prediction, double tokens, std::int64_t cycles);  // 0 for 0 cycles
double tokens_per_step(const SimPrediction& prediction);  // a batch per data-parallel replica
// Joules per generated token in steady state at `watts` per chip.
double joules_per_token(const SimPrediction& prediction, double watts);

nlohmann::json prediction_json(const SimPrediction& prediction);
std::string prediction_text(const SimPrediction& prediction);

}  // namespace lpu::study
