#pragma once
// How busy one decode step keeps each chip's units and each link of the
// fabric, as fractions of the step's latency:
//   - matrix unit: matmul, lm_head and attention (whose products dominate it);
//   - vector unit: every other op;
//   - SRAM bandwidth: the bytes the step streams through SRAM (the weights of
//     every product, the KV cache positions attention reads, the bytes sent
//     and received) at the spec's SRAM rate. Activations passed between ops
//     are left out: kilobytes against the megabytes of weights;
//   - a link (one direction of a cable): the cycles transfers stream through
//     it, the same windows the compiler reserved for them (link_reservations.hpp).
#include <cstdint>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "plan/plan.hpp"
#include "plan/retime.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology.hpp"

namespace lpu::study {

// The largest and the mean of one figure over chips (or links).
struct UnitUtilisation {
    double max = 0.0;
    double mean = 0.0;
};

struct ChipUtilisation {
    topology::ChipId chip = 0;
    double matrix_unit = 0.0;
    double vector_unit = 0.0;
    double sram_bandwidth = 0.0;
};

struct LinkUtilisation {
    topology::ChipId from = 0;
    topology::ChipId to = 0;
    std::int64_t busy_cycles = 0;
    double utilisation = 0.0;
};

struct StepUtilisation {
    std::vector<ChipUtilisation> chips;  // every chip of the plan, in plan order
    std::vector<LinkUtilisation> links;  // the directed links that carried data, by channel id
    UnitUtilisation matrix_unit;         // over chips
    UnitUtilisation vector_unit;
    UnitUtilisation sram_bandwidth;
    UnitUtilisation link;                // over the links that carried data
};

// `timing` is the plan's timing at `position`; `fabric` the system the plan was
// compiled for, with the spec that gives the clock and the SRAM rate.
StepUtilisation step_utilisation(const plan::Plan& plan, const plan::StepTiming& timing, std::int64_t position,
                                 const collectives::FabricTiming& fabric, const sim::ChipSpec& spec);

}  // namespace lpu::study
