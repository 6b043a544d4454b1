#include "study/failover_report.hpp"

#include "base/printf_text.hpp"

namespace lpu::study {
namespace {

using Placed = compiler::Failover::Placed;

const char* placed_name(Placed placed) {
    switch (placed) {
        case Placed::kept: return "kept";
        case Placed::stand_in: return "stand_in";
        case Placed::regrid: return "regrid";
    }
    return "kept";
}

// How the new plan was placed, in words.
std::string placement_text(const FailoverPrediction& failover) {
    const std::string failed = compiler::failure_name(failover.request.failure);
    const SimPrediction& after = failover.after;
    switch (failover.placed) {
        case Placed::kept:
            return "every chip kept its part (the plan does not use " + failed + "); routes recompiled around it";
        case Placed::stand_in:
            return std::string(failover.stand_in_is_spare ? "spare" : "idle") + " chip " +
                   std::to_string(*failover.stand_in) + " takes " + failed + "'s part, every other chip keeps its own";
        case Placed::regrid:
            return "too few chips left for the grid: the best grid of " + std::to_string(after.chips) +
                   " chips, tp " + std::to_string(after.grid.tp) + " x pp " + std::to_string(after.grid.pp);
    }
    return "";
}

// Tokens/s at the last position of the context, the figure the report leads with.
double per_user(const SimPrediction& prediction) { return per_second(prediction, 1.0, prediction.last_step.latency_cycles); }
double aggregate(const SimPrediction& prediction) {
    return per_second(prediction, tokens_per_step(prediction), prediction.last_step.period_cycles);
}

nlohmann::json rate_json(const SimPrediction& before, const FailoverPrediction& failover,
                         double (*rate)(const SimPrediction&)) {
    nlohmann::json out = {{"before", rate(before)}, {"after", nullptr}};
    if (failover.after.predicted()) out["after"] = rate(failover.after);
    return out;
}

}  // namespace

nlohmann::json failover_json(const SimPrediction& before, const FailoverPrediction& failover) {
    const compiler::Failure& failure = failover.request.failure;
    nlohmann::json failed = {{"kind", failure.kind == compiler::Failure::Kind::chip ? "chip" : "link"},
                             {"step", failover.request.step}};
    if (failure.kind == compiler::Failure::Kind::chip) failed["chip"] = failure.chip;
    else failed["chips"] = {failure.chip, failure.peer};
    nlohmann::json out = {
        {"failure", std::move(failed)},
        {"placement", placed_name(failover.placed)},
        {"stand_in", nullptr},
        {"stand_in_is_spare", failover.stand_in_is_spare},
        {"recovery",
         {{"recompile_host_seconds", failover.after.compile_seconds},
          {"lockstep_check_host_seconds", failover.after.lockstep_seconds},
          {"replay_positions", failover.request.step},
          {"replay_cycles", failover.replay_cycles},
          {"replay_seconds", seconds(failover.after, failover.replay_cycles)}}},
        {"tokens_per_second_per_user", rate_json(before, failover, per_user)},
        {"tokens_per_second_aggregate", rate_json(before, failover, aggregate)},
        {"after", prediction_json(failover.after)},
    };
    if (failover.stand_in) out["stand_in"] = *failover.stand_in;
    return out;
}

std::string failover_text(const SimPrediction& before, const FailoverPrediction& failover) {
    const SimPrediction& after = failover.after;
    std::string text = "failure: " + compiler::failure_name(failover.request.failure) + " at position " +
                       std::to_string(failover.request.step) + ", recompiled on " + after.topology + "\n";
    text += "  placement: " + placement_text(failover) + "\n";
    if (after.lockstep) {
        text += "  plan:      " + sim::lockstep_summary(*after.lockstep) + "\n";
    }
    text += printf_text("  recovery:  recompile %.2f s (host), then replay of %lld positions: %lld cycles = %.3f ms (emulated)\n",
                        after.compile_seconds, static_cast<long long>(failover.request.step),
                        static_cast<long long>(failover.replay_cycles), seconds(after, failover.replay_cycles) * 1e3);
    if (!after.predicted()) {
        return text + "  after:     no prediction: the new plan is not in lockstep\n";
    }
    text += printf_text("  tokens/s:  per user %.1f -> %.1f, aggregate %.1f -> %.1f (last position; %+.1f%%)\n",
                        per_user(before), per_user(after), aggregate(before), aggregate(after),
                        100.0 * (per_user(after) / per_user(before) - 1.0));
    return text;
}

}  // namespace lpu::study
