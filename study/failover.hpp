#pragma once
// `lpu sim --fail`: what a chip or a link failing mid-sequence costs. The plan
// is recompiled around the failure (runtime/compiler/failover.hpp), the new
// plan is checked and timed like any prediction (predict.hpp), and the
// sequence so far is replayed on it: positions 0 .. step - 1 as successive
// decode steps, which rebuilds every chip's KV cache (issue 19's replay: links
// never retransmit, so a failure costs the sequence, not a message). Recovery
// is the recompile, in host seconds, then the replay, in the emulated system's
// cycles.
#include <cstdint>
#include <optional>

#include "runtime/compiler/failover.hpp"
#include "runtime/compiler/placement.hpp"
#include "study/predict.hpp"
#include "study/prediction_report.hpp"

namespace lpu::study {

struct FailoverRequest {
    compiler::Failure failure;
    std::int64_t step = 0;  // positions of the sequence done when it fails
};

struct FailoverPrediction {
    FailoverRequest request;
    compiler::Failover::Placed placed = compiler::Failover::Placed::kept;
    std::optional<topology::ChipId> stand_in;
    bool stand_in_is_spare = false;
    // The recompiled plan on the system left, its figures with the whole
    // system's chip ids (the ones the failure is named by).
    SimPrediction after;
    std::int64_t replay_cycles = 0;  // positions 0 .. step - 1 on the new plan, one after another
};

// What can be checked before any plan is compiled: the failure names a chip or
// link of `whole` and leaves it connected, and the step is inside the
// sequence's `positions`. lpu::Error naming the problem.
void check_failover_request(const topology::Topology& whole, std::int64_t positions, const FailoverRequest& request);

// `before` is the question whose plan had `placement`. lpu::Error when the
// system left cannot hold the model (after.refusal is never set).
FailoverPrediction predict_failover(const SimQuestion& before, const compiler::Placement& placement,
                                    const FailoverRequest& request);

}  // namespace lpu::study
