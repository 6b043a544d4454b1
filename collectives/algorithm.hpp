#pragma once
// One Algorithm base, one file per algorithm (collectives/algorithms/). An
// algorithm plans logical steps — transfers without routes — and the base
// turns the plan into a Schedule: it picks each transfer's route among the
// minimal ones and splits a logical step into as many steps as needed so
// that no two transfers of a step share a channel (schedule_builder.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collectives/schedule.hpp"
#include "collectives/schedule_builder.hpp"
#include "topology/topology.hpp"

namespace lpu::collectives {

struct Request {
    CollectiveOp op = CollectiveOp::all_reduce;
    std::vector<ChipId> participants;  // participants[0] is the root of broadcast/reduce, the source of p2p
    std::uint64_t count = 0;           // elements (see the layouts in schedule.hpp)
    std::uint32_t element_bytes = 4;
};

class Algorithm {
public:
    virtual ~Algorithm() = default;
    virtual std::string name() const = 0;
    // One line for --explain and --help.
    virtual std::string summary() const = 0;

    // Empty when the algorithm can serve the request on this topology, else why
    // not (e.g. "ring does not implement alltoall").
    std::optional<std::string> unsupported_reason(const topology::Topology& topology, const Request& request) const;

    // The schedule; throws lpu::Error on a bad request or an unsupported one.
    // The result passes validate() and the conflict checker.
    Schedule build(const topology::Topology& topology, const Request& request) const;

protected:
    virtual std::optional<std::string> shape_reason(const topology::Topology& topology,
                                                    const Request& request) const = 0;
    virtual LogicalPlan plan(const topology::Topology& topology, const Request& request) const = 0;
};

}  // namespace lpu::collectives
