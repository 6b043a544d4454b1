#include "study/failover.hpp"

#include <string>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "runtime/compiler/prefill_timing.hpp"

namespace lpu::study {
namespace {

// The new plan's chips are numbered in the system left; reports name them as
// the whole system does.
void use_whole_system_ids(StepStudy& step, const std::vector<topology::ChipId>& original) {
    for (ChipUtilisation& chip : step.utilisation.chips) chip.chip = original.at(chip.chip);
    for (LinkUtilisation& link : step.utilisation.links) {
        link.from = original.at(link.from);
        link.to = original.at(link.to);
    }
}

}  // namespace

void check_failover_request(const topology::Topology& whole, std::int64_t positions, const FailoverRequest& request) {
    require(request.step >= 0 && request.step < positions, [&] {
        return "the failure at step " + std::to_string(request.step) + " is beyond the sequence: its positions are 0-" +
               std::to_string(positions - 1) + " (--context)";
    });
    const compiler::Failure& failure = request.failure;
    if (failure.kind == compiler::Failure::Kind::chip) topology::without_chip(whole, failure.chip);
    else topology::without_link(whole, failure.chip, failure.peer);
}

FailoverPrediction predict_failover(const SimQuestion& before, const compiler::Placement& placement,
                                    const FailoverRequest& request) {
    const compiler::Failover failover = compiler::plan_failover(before.config, before.spec, *before.topology,
                                                                placement, before.compile, request.failure);
    SimQuestion question = before;
    question.topology = &failover.system.topology;
    question.topology_name = failover.system.topology.info().name;
    question.compile = failover.options;
    FailoverPrediction prediction{request, failover.placed, failover.stand_in, failover.stand_in_is_spare, {}, 0};
    prediction.after = predict(question, [&](const plan::Plan& plan) {
        if (request.step == 0) return;
        prediction.replay_cycles = compiler::prefill_cycles(plan, plan::Retimer(plan), request.step).sequential;
    });
    require(!prediction.after.refusal, [&] {
        return "without " + compiler::failure_name(request.failure) + " the model no longer fits: " +
               *prediction.after.refusal;
    });
    use_whole_system_ids(prediction.after.first_step, failover.system.original_chip);
    use_whole_system_ids(prediction.after.last_step, failover.system.original_chip);
    return prediction;
}

}  // namespace lpu::study
