#include "study/simulate.hpp"

#include <cmath>

#include "base/error.hpp"
#include "base/printf_text.hpp"
#include "plan/trace_file.hpp"
#include "runtime/compiler/grid_choice.hpp"
#include "study/predict.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::study {
namespace {

// The step the user asked to see, in the spec's clock: the last position by
// default, because it is the slowest step and the one the latency report leads with.
void write_step_trace(const SimRequest& request, const plan::Plan& plan, const sim::ChipSpec& spec) {
    plan::TraceOptions trace;
    trace.position = request.trace_position.value_or(plan.context_positions - 1);
    require(trace.position < plan.context_positions, [&] {
        std::string message = "--trace-position ";
        return message.append(std::to_string(trace.position))
            .append(" is outside the plan's context of ")
            .append(std::to_string(plan.context_positions))
            .append(" positions");
    });
    trace.clock_hz = static_cast<double>(spec.clock_hz);
    trace.chips = request.trace_chips;
    plan::write_trace_file(plan, trace, request.trace_path, "lpu sim");
}

// Enough sampled tokens that a uniform router's shares come out within about 1% of equal.
constexpr std::int64_t kExpertLoadTokens = 16384;

}  // namespace

SimResult simulate(const SimRequest& request, const std::function<void(const std::string&)>& on_note) {
    SimQuestion question;
    question.config = model_shape(request.preset, request.model_path, request.dtype, question.model_source);
    question.spec = sim::load_chip_spec(request.spec);
    compiler::CompileOptions compile = request.compile;
    if (compile.chips == 0 && compile.tp == 0 && compile.pp == 0) {
        const int positions = compile.positions > 0 ? compile.positions : question.config.context_length;
        const auto fewest = compiler::minimum_chips(question.config, question.spec, positions, 1);
        require(fewest.has_value(), [&] {
            return "model '" + question.config.name + "' does not fit any grid of '" + question.spec.name +
                   "' chips up to n_heads x n_layers; no system to simulate";
        });
        compile.chips = *fewest;
        if (on_note) {
            on_note("no --chips given: " + std::to_string(*fewest) + " chip(s), the fewest whose SRAM holds the model "
                    "with a " + std::to_string(positions) + "-position KV cache (--chips to choose)");
        }
    }
    question.topology_name = compiler::topology_spec_for(compile, request.topology);
    const topology::Topology topology = topology::topology_from_spec(question.topology_name);
    question.topology = &topology;
    question.compile = compile;
    question.prompt_tokens = request.prompt_tokens;
    const model::ModelConfig& config = question.config;
    require(std::isfinite(request.expert_skew) && request.expert_skew >= 0.0,
            [&] { return "--expert-skew must be 0 (uniform) or more, got " + printf_text("%g", request.expert_skew); });
    require(request.expert_skew == 0.0 || config.is_mixture_of_experts(),
            "--expert-skew describes a mixture of experts' routing; model '" + config.name + "' has no experts");
    // A failure is checked before the plan is compiled, which takes seconds on large systems.
    if (request.failure) {
        check_failover_request(topology, compile.positions > 0 ? compile.positions : config.context_length,
                               *request.failure);
    }
    SimResult result;
    compiler::Placement placement;
    result.prediction = predict(question, [&](const plan::Plan& plan) {
        if (!request.trace_path.empty()) write_step_trace(request, plan, question.spec);
        placement = compiler::plan_placement(plan);
    });
    // Without a plan there is no step to trace: asking for one is the error.
    require(!result.prediction.refusal || request.trace_path.empty(),
            [&] { return "no trace written: " + *result.prediction.refusal; });
    if (config.is_mixture_of_experts() && result.prediction.predicted()) {
        result.prediction.expert_load = estimate_expert_load(config.experts, config.active_experts,
                                                             request.expert_skew, kExpertLoadTokens);
    }
    if (request.failure && result.prediction.predicted()) {
        result.failover = predict_failover(question, placement, *request.failure);
    }
    return result;
}

}  // namespace lpu::study
