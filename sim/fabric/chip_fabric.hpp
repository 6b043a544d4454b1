#pragma once
// The fabric of a plan cut across processes. Each process keeps the clocks of
// the chips it hosts (crystal and HAC, sim/clock/alignment_protocol.hpp) and runs
// their ends of the alignment protocol; the protocol's messages between a
// parent and a child (calibration echoes, latency estimates, the HAC stamps of
// the correction bursts) travel as real messages through a FabricWire, which
// launch/ carries over the run's transport (memory within a process, MPI or
// TCP between processes). Then every sender stamps the true time its
// transfers left and sends the stamps to their receivers, and each process
// measures the figures of its chips (sim/fabric/plan_fabric.hpp); merged, they are
// those of the whole fabric in one process, number for number.
//
// Order: every process performs its chips' actions in one global order, and
// each action waits only for messages of earlier actions, so no process waits
// on one that is itself waiting; each chip's counters depend only on the
// messages it receives, not on which process hosts whom:
//   1. parents send their echoes; 2. children echo them back; 3. parents send
//   their latency estimates; 4. children take them; 5. round k = 0 .. R-1, in
//   tree order: a child takes its parent's burst and corrects, then sends its
//   own children theirs; 6. senders send their departure stamps; 7. receivers
//   take them and measure.
#include <cstdint>
#include <span>
#include <vector>

#include "plan/plan.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_fabric.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

enum class FabricMessage : std::uint32_t { echo_out = 1, echo_back = 2, latency = 3, correction = 4, departures = 5 };

// How the protocol's messages travel between chips (declared here, where it
// is used; launch/ implements it over a Transport). A message is a list of
// 64-bit words, named by its chips, its kind and an index (the echo, or
// round x burst size + message, or 0).
class FabricWire {
public:
    virtual ~FabricWire() = default;
    virtual void send(topology::ChipId from, topology::ChipId to, FabricMessage kind, std::uint32_t index,
                      std::span<const std::int64_t> words) = 0;
    // Waits for the message and fills `words`; throws lpu::Error when it holds another count.
    virtual void receive(topology::ChipId to, topology::ChipId from, FabricMessage kind, std::uint32_t index,
                         std::span<std::int64_t> words) = 0;
};

// The figures of the chips for which hosted[chip id] holds (a vector over the
// topology's chips: chips outside the plan still keep time for the tree, and
// some process must host them). Every process of the run calls it with the
// same arguments but `hosted`, whose sets cover the topology without overlap.
FabricFigures chip_fabric_figures(const plan::Plan& plan, const topology::Topology& topology, const ChipSpec& spec,
                                  const PlanLockstepConfig& config, const std::vector<bool>& hosted,
                                  FabricWire& wire);

}  // namespace lpu::sim
