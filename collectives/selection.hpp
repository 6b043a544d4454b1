#pragma once
// Automatic selection, as NCCL's tuner does it but exact: every algorithm
// that can serve the request builds its schedule, the fabric model times it,
// and the fastest wins (ties go to the earlier algorithm in the registry).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collectives/algorithm.hpp"
#include "collectives/fabric_timing.hpp"

namespace lpu::collectives {

struct Candidate {
    std::string algorithm;
    std::optional<std::int64_t> emulated_ps;  // empty when it cannot serve the request
    std::size_t steps = 0;
    std::string reason;                       // why not, when emulated_ps is empty
};

struct Selection {
    std::vector<Candidate> candidates;  // registry order
    std::size_t chosen = 0;             // index into candidates
    Schedule schedule;                  // the chosen one, conflict-checked
    std::int64_t emulated_ps = 0;
};

// algorithm "auto" tries all; a name tries that one only (and throws
// lpu::Error with its reason when it cannot serve the request).
// `on_candidate`, when given, hears each algorithm's name before it is built
// and timed (on 10,000 chips that takes seconds: callers show progress).
Selection select_schedule(const FabricTiming& fabric, const Request& request, const std::string& algorithm = "auto",
                          const std::function<void(const std::string&)>& on_candidate = {});

// The candidates as a text table (algorithm, steps, emulated us, note).
std::string explain(const Selection& selection);

}  // namespace lpu::collectives
