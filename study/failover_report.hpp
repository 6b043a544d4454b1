#pragma once
// What `lpu sim --fail` adds to the prediction's report: the failure, who took
// the failed chip's place, the recovery (recompile in host seconds, replay in
// emulated cycles and seconds) and tokens/s before and after, as text and as
// the `failover` object of --json (with the new plan's whole prediction).
#include <string>

#include <nlohmann/json.hpp>

#include "study/failover.hpp"
#include "study/prediction_report.hpp"

namespace lpu::study {

nlohmann::json failover_json(const SimPrediction& before, const FailoverPrediction& failover);
std::string failover_text(const SimPrediction& before, const FailoverPrediction& failover);

}  // namespace lpu::study
