#pragma once
// What `lpu fabric` prints of a clock experiment (clock_experiment.hpp): the
// run's settings and its findings (skew, violations, deskew stalls) as text or
// JSON, and the per-round skew as CSV.
#include <string>

#include "sim/fabric/clock_experiment.hpp"

namespace lpu::sim {

// The report of `report`, the experiment `config` ran on the topology shown as
// `topology_name`: a few lines of text, or with `json` one JSON object.
std::string clock_experiment_report(const std::string& topology_name, const ClockExperimentConfig& config,
                                    const ClockExperimentReport& report, bool json);

// One row per measured round: round,time_s,max_skew_cycles,spread_cycles.
std::string skew_samples_csv(const ClockExperimentReport& report);

}  // namespace lpu::sim
