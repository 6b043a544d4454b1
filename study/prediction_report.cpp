#include "study/prediction_report.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "base/printf_text.hpp"
#include "runtime/kernels/dtype.hpp"

namespace lpu::study {

double seconds(const SimPrediction& prediction, std::int64_t cycles) {
    return static_cast<double>(cycles) / static_cast<double>(prediction.spec.clock_hz);
}

double per_second(const SimPrediction& prediction, double tokens, std::int64_t cycles) {
    return cycles > 0 ? tokens / seconds(prediction, cycles) : 0.0;
}

// Tokens one step gives: a batch per data-parallel replica.
double tokens_per_step(const SimPrediction& prediction) {
    return static_cast<double>(prediction.batch) * static_cast<double>(prediction.grid.replicas);
}

// Joules per generated token in steady state: every chip of the plan drawing
// `watts` for one step period, shared by the step's tokens.
double joules_per_token(const SimPrediction& prediction, double watts) {
    return static_cast<double>(prediction.chips) * watts * seconds(prediction, prediction.last_step.period_cycles) /
           tokens_per_step(prediction);
}

namespace {

nlohmann::json figure_json(const UnitUtilisation& figure) { return {{"max", figure.max}, {"mean", figure.mean}}; }

// The link that streamed longest in the step; `busy` must have links.
const LinkUtilisation& busiest_link(const StepUtilisation& busy) {
    return *std::max_element(busy.links.begin(), busy.links.end(),
                             [](const auto& a, const auto& b) { return a.busy_cycles < b.busy_cycles; });
}

nlohmann::json utilisation_json(const StepUtilisation& busy) {
    nlohmann::json chips = nlohmann::json::array(), links = nlohmann::json::array();
    for (const ChipUtilisation& chip : busy.chips) {
        chips.push_back({{"chip", chip.chip},
                         {"matrix_unit", chip.matrix_unit},
                         {"vector_unit", chip.vector_unit},
                         {"sram_bandwidth", chip.sram_bandwidth}});
    }
    for (const LinkUtilisation& link : busy.links) {
        links.push_back({{"from", link.from}, {"to", link.to}, {"busy_cycles", link.busy_cycles},
                         {"utilisation", link.utilisation}});
    }
    return {{"matrix_unit", figure_json(busy.matrix_unit)},
            {"vector_unit", figure_json(busy.vector_unit)},
            {"sram_bandwidth", figure_json(busy.sram_bandwidth)},
            {"links_carrying_data", busy.links.size()},
            {"link", figure_json(busy.link)},
            {"per_chip", std::move(chips)},
            {"per_link", std::move(links)}};
}

nlohmann::json step_json(const SimPrediction& prediction, const StepStudy& step) {
    const TimeBreakdown& path = step.critical_path;
    return {
        {"position", step.position},
        {"latency_cycles", step.latency_cycles},
        {"latency_seconds", seconds(prediction, step.latency_cycles)},
        {"tokens_per_second_per_user", per_second(prediction, 1.0, step.latency_cycles)},
        {"period_cycles", step.period_cycles},
        {"tokens_per_second_aggregate", per_second(prediction, tokens_per_step(prediction), step.period_cycles)},
        {"critical_path_cycles",
         {{"compute", path.compute},
          {"compute_by_op", path.compute_by_op},
          {"transfer", path.transfer},
          {"deskew", path.deskew},
          {"idle", path.idle}}},
        {"utilisation", utilisation_json(step.utilisation)},
    };
}

nlohmann::json lockstep_json(const sim::PlanLockstepVerdict& verdict, double check_seconds) {
    nlohmann::json windows = nlohmann::json::array();
    for (const sim::LockstepWindow& window : verdict.windows) {
        windows.push_back({{"first_position", window.first_position},
                           {"steps", window.steps},
                           {"when", window.before_next_round ? "before the next correction" : "after the alignment settles"},
                           {"start_cycle", window.start_cycle},
                           {"end_cycle", window.end_cycle}});
    }
    nlohmann::json out = {{"in_lockstep", verdict.ok()},
                          {"windows", std::move(windows)},
                          {"transfers", verdict.transfers},
                          {"late_transfers", verdict.late},
                          {"overwritten_transfers", verdict.overwritten},
                          {"worst_margin_cycles", verdict.worst_margin_cycles},
                          {"check_seconds", check_seconds}};
    if (!verdict.ok()) out["first_violation"] = verdict.first_violation;
    return out;
}

nlohmann::json model_json(const SimPrediction& prediction) {
    const model::ModelConfig& config = prediction.config;
    return {{"name", config.name},          {"source", prediction.model_source},
            {"weight_dtype", kernels::dtype_name(config.weight_dtype)},
            {"dim", config.dim},            {"hidden_dim", config.hidden_dim},
            {"layers", config.n_layers},    {"heads", config.n_heads},
            {"kv_heads", config.n_kv_heads}, {"vocab_size", config.vocab_size},
            {"context_length", config.context_length},
            {"experts", config.experts},    {"active_experts", config.active_experts}};
}

std::string percent(std::int64_t part, std::int64_t whole) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
    return text;
}

std::string utilisation_text(const StepUtilisation& busy) {
    const auto figure = [](const char* name, const UnitUtilisation& unit) {
        return printf_text("%s max %.1f%% mean %.1f%%", name, unit.max * 100, unit.mean * 100);
    };
    std::string text = "    busy per chip: " + figure("matrix unit", busy.matrix_unit) + ", " +
                       figure("vector unit", busy.vector_unit) + ", " + figure("SRAM bandwidth", busy.sram_bandwidth) +
                       "\n";
    if (busy.links.empty()) return text + "    links: none carried data\n";
    const LinkUtilisation& busiest = busiest_link(busy);
    return text + "    links: " + std::to_string(busy.links.size()) + " (one direction each) carried data, busiest " +
           std::to_string(busiest.from) + " -> " + std::to_string(busiest.to) +
           printf_text(" %.1f%%, mean %.1f%%\n", busiest.utilisation * 100, busy.link.mean * 100);
}

std::string step_text(const SimPrediction& prediction, const StepStudy& step) {
    const TimeBreakdown& path = step.critical_path;
    std::string ops;
    for (const auto& [op, cycles] : path.compute_by_op) {
        ops += (ops.empty() ? "" : ", ") + op + " " + percent(cycles, step.latency_cycles);
    }
    return "  position " + std::to_string(step.position) + ": " + std::to_string(step.latency_cycles) + " cycles = " +
           printf_text("%.2f us -> %.1f tokens/s per user\n", seconds(prediction, step.latency_cycles) * 1e6,
                  per_second(prediction, 1.0, step.latency_cycles)) +
           "    critical path: compute " + percent(path.compute, step.latency_cycles) + " (" + ops + "), transfers " +
           percent(path.transfer, step.latency_cycles) + ", deskew " + percent(path.deskew, step.latency_cycles) +
           ", idle " + percent(path.idle, step.latency_cycles) + "\n" + utilisation_text(step.utilisation);
}

}  // namespace

// Where the experts live and the load the router spreads over them.
constexpr const char* kExpertPlacement =
    "every TP rank holds its slice of every expert and routes for itself: no all-to-all, and each step costs the "
    "active experts' matrices whichever experts the router picks, so the load below does not change the time";

nlohmann::json experts_json(const SimPrediction& prediction) {
    const ExpertLoadEstimate& load = *prediction.expert_load;
    return {{"placement", "sharded_by_tp"},
            {"placement_note", kExpertPlacement},
            {"routing_skew", load.skew},
            {"sampled_tokens", load.tokens},
            {"load_share", load.share},
            {"busiest_over_mean", load.busiest_over_mean}};
}

std::string experts_load_text(const SimPrediction& prediction) {
    const ExpertLoadEstimate& load = *prediction.expert_load;
    std::string shares;
    for (double share : load.share) shares += printf_text("%s%.1f%%", shares.empty() ? "" : " ", share * 100);
    return "experts: " + std::string(kExpertPlacement) + "\n         routed tokens per expert (" +
           (load.skew == 0 ? std::string("uniform routing") : printf_text("routing skew %.2f", load.skew)) +
           ", " + std::to_string(load.tokens) + " tokens sampled): " + shares +
           printf_text("; busiest %.2fx the mean\n", load.busiest_over_mean);
}

nlohmann::json prediction_json(const SimPrediction& prediction) {
    nlohmann::json out;
    out["model"] = model_json(prediction);
    out["system"] = {{"spec", prediction.spec.name},
                     {"clock_hz", prediction.spec.clock_hz},
                     {"topology", prediction.topology},
                     {"context_positions", prediction.context_positions},
                     {"batch", prediction.batch}};
    out["fits"] = !prediction.refusal.has_value();
    out["compile_seconds"] = prediction.compile_seconds;
    if (prediction.refusal) {
        out["refusal"] = *prediction.refusal;
        return out;
    }
    out["system"]["chips"] = prediction.chips;
    out["system"]["tp"] = prediction.grid.tp;
    out["system"]["pp"] = prediction.grid.pp;
    out["system"]["replicas"] = prediction.grid.replicas;
    if (prediction.lockstep) out["lockstep"] = lockstep_json(*prediction.lockstep, prediction.lockstep_seconds);
    if (!prediction.predicted()) return out;
    out["sram"] = {{"fullest_chip_bytes", prediction.fullest_chip_sram_bytes},
                   {"chip_bytes", prediction.spec.sram_bytes}};
    out["decode"] = {{"first_position", step_json(prediction, prediction.first_step)},
                     {"last_position", step_json(prediction, prediction.last_step)}};
    out["time_to_first_token"] = {
        {"prompt_tokens", prediction.prompt_tokens},
        {"cycles", prediction.ttft_cycles},
        {"seconds", seconds(prediction, prediction.ttft_cycles)},
        {"method", "the prompt as successive decode steps at positions 0 .. P-1, as lpu run feeds it"},
        {"pipelined_lower_bound_cycles", prediction.pipelined_ttft_cycles},
        {"pipelined_lower_bound_seconds", seconds(prediction, prediction.pipelined_ttft_cycles)}};
    out["energy"] = {{"joules_per_token_at_average_power", joules_per_token(prediction, prediction.spec.power_average_watts)},
                     {"joules_per_token_at_tdp", joules_per_token(prediction, prediction.spec.power_tdp_watts)},
                     {"system_watts_at_average_power",
                      static_cast<double>(prediction.chips) * prediction.spec.power_average_watts}};
    if (prediction.expert_load) out["experts"] = experts_json(prediction);
    out["study_seconds"] = prediction.study_seconds;
    return out;
}

// "8 experts (2 active per token, costed as always 2), " for a mixture of experts.
std::string experts_text(const model::ModelConfig& config) {
    if (!config.is_mixture_of_experts()) return "";
    const std::string active = std::to_string(config.active_experts);
    std::string text = std::to_string(config.experts);
    return text.append(" experts (").append(active).append(" active per token, costed as always ").append(active).append("), ");
}

std::string prediction_text(const SimPrediction& prediction) {
    const model::ModelConfig& config = prediction.config;
    std::string text = "model:   " + config.name + " (" + prediction.model_source + "), " +
                       model::weight_types_text(config) + " weights, " + experts_text(config) +
                       std::to_string(prediction.context_positions) + "-position KV cache, batch " +
                       std::to_string(prediction.batch) + "\n";
    if (prediction.refusal) {
        return text + "system:  " + prediction.spec.name + " chips on " + prediction.topology +
               "\nfits:    no: " + *prediction.refusal + "\n";
    }
    const auto& grid = prediction.grid;
    text += "system:  " + std::to_string(prediction.chips) + " " + prediction.spec.name + " chips on " +
            prediction.topology + ", tp " + std::to_string(grid.tp) + " x pp " + std::to_string(grid.pp) +
            (grid.replicas > 1 ? " x " + std::to_string(grid.replicas) + " replicas" : std::string()) +
            printf_text(" (compiled in %.1f s, timed in %.1f s)\n", prediction.compile_seconds, prediction.study_seconds);
    if (prediction.lockstep) {
        text += "plan:    " + sim::lockstep_summary(*prediction.lockstep) +
                printf_text(" (checked in %.1f s)\n", prediction.lockstep_seconds);
    }
    if (!prediction.predicted()) {
        return text + "no prediction: a plan that is not in lockstep does not compute what it would be timed for\n";
    }
    text += "SRAM:    fullest chip " + std::to_string(prediction.fullest_chip_sram_bytes) + " of " +
            std::to_string(prediction.spec.sram_bytes) + " bytes (" +
            percent(prediction.fullest_chip_sram_bytes, prediction.spec.sram_bytes) + ")\n";
    text += "decode:  one token, first op to last\n" + step_text(prediction, prediction.first_step) +
            step_text(prediction, prediction.last_step);
    text += "batch:   " + std::to_string(prediction.batch) + " sequence(s)" +
            (grid.replicas > 1 ? " per replica" : "") + ", a step every " +
            std::to_string(prediction.last_step.period_cycles) + " cycles at the last position" +
            printf_text(" -> %.1f tokens/s aggregate\n",
                   per_second(prediction, tokens_per_step(prediction), prediction.last_step.period_cycles));
    text += "TTFT:    " + std::to_string(prediction.prompt_tokens) + " prompt tokens as successive decode steps: " +
            printf_text("%.3f ms", seconds(prediction, prediction.ttft_cycles) * 1e3) +
            printf_text("; pipelined through the %u stages, at least %.3f ms\n", grid.pp,
                   seconds(prediction, prediction.pipelined_ttft_cycles) * 1e3);
    text += printf_text("energy:  %.3f J per token at %.0f W average per chip", joules_per_token(prediction, prediction.spec.power_average_watts),
                   prediction.spec.power_average_watts) +
            printf_text(" (%.3f J at %.0f W TDP)\n", joules_per_token(prediction, prediction.spec.power_tdp_watts),
                   prediction.spec.power_tdp_watts);
    if (prediction.expert_load) text += experts_load_text(prediction);
    return text;
}

}  // namespace lpu::study
