#pragma once
// The critical path of one step of a plan: the chain of work that decides when
// the last chip finishes. It starts at the instruction that ends last and walks
// back through its chip's instructions; where a Recv made the chip wait (it is
// scheduled after the previous instruction ended), the path jumps to the chip
// of the matching Send. Time nothing on the path explains is "idle".
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::plan {

struct PathSegment {
    topology::ChipId chip = 0;  // the chip the time is spent on (the receiver for a transfer)
    std::int64_t from_cycle = 0;
    std::int64_t to_cycle = 0;
    std::string what;  // an op name, "transfer from chip X", "deskew", "runtime deskew" or "idle"
    bool operator==(const PathSegment&) const = default;
};

struct CriticalPath {
    std::int64_t end_cycle = 0;  // when the last chip finishes
    // In time order, back to back from cycle 0 to end_cycle.
    std::vector<PathSegment> segments;
};

// Throws lpu::Error when the plan's transfers do not pair up (plan/transfer_matching.hpp).
CriticalPath critical_path(const Plan& plan);

}  // namespace lpu::plan
