#pragma once
// Static scheduling by construction: the lowering emits every chip's
// instructions in dataflow order (a Recv only after its Send), and this
// builder places each one at a cycle as it is emitted (list scheduling):
//  - a Compute starts when its chip's previous instruction has ended;
//  - a Send starts when its chip is ready AND every channel of its route is
//    free while the transfer streams through it: the message moves
//    cut-through, so hop i carries it from the send cycle + the latencies of
//    the hops before it, for the slowest hop's serialisation time. Those
//    intervals are reserved, so no link ever carries two transfers at once
//    (no arbitration is needed at run time), while a link is free again for
//    the next message as soon as the last vector has left it, not when it
//    has arrived;
//  - a Recv is placed no earlier than its Send + the flight time (hop
//    latencies and serialisation through the fabric model) + the slack that
//    covers the two counters' worst-case skew: each chip's counter is within
//    its skew bound of the alignment tree's root, so two chips are within the
//    sum of theirs;
//  - every `deskew_interval_cycles` of a chip's timeline a RuntimeDeskew is
//    inserted, whose pad absorbs the drift the alignment counters allow
//    between DESKEW points (sim/clock/alignment_params.hpp).
// The same emission order always gives the same plan.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "plan/plan.hpp"
#include "runtime/compiler/link_reservations.hpp"
#include "sim/chip/chip_spec.hpp"

namespace lpu::compiler {

struct SchedulerParams {
    // Per plan chip: how far its counter may be from the root's (empty: 0).
    std::vector<double> skew_bound_cycles;
    std::int64_t deskew_interval_cycles = 0;  // 0: no deskew points
    std::int64_t deskew_pad_cycles = 0;
    // The link book to reserve in; null: the scheduler keeps its own. Shared
    // by the schedulers of data-parallel replicas.
    std::shared_ptr<LinkReservations> links;
};

// A posted send, for the matching recv.
struct SendTicket {
    std::size_t src = 0;  // chip index in the plan
    std::size_t dst = 0;
    std::uint64_t tag = 0;
    std::int64_t bytes = 0;
    std::int64_t send_cycle = 0;
    std::int64_t flight_cycles = 0;
    std::vector<topology::ChannelId> route;
};

class PlanScheduler {
public:
    // `chips[i]` is the topology chip of plan chip i. Keeps references to fabric.
    PlanScheduler(const collectives::FabricTiming& fabric, const sim::ChipSpec& spec,
                    std::vector<topology::ChipId> chips, SchedulerParams params);

    std::size_t chip_count() const { return programs_.size(); }
    plan::ChipProgram& program(std::size_t chip) { return programs_[chip]; }

    // A buffer of `bytes` on a chip (its SRAM offset is assigned later).
    plan::BufferId add_buffer(std::size_t chip, std::string name, plan::BufferUse use, std::int64_t bytes);
    plan::BufferId buffer(std::size_t chip, const std::string& name) const;

    void compute(std::size_t chip, plan::Compute compute);
    SendTicket send(std::size_t src, std::size_t dst, plan::BufferId buffer, std::int64_t offset_bytes,
                    std::int64_t bytes);
    void recv(const SendTicket& ticket, plan::BufferId buffer, std::int64_t offset_bytes);

    // The cycle at which a chip's last instruction ends.
    std::int64_t clock(std::size_t chip) const { return clock_[chip]; }
    // The shortest flight time of any transfer (the plan's transfer_latency_cycles floor); -1 when none.
    std::int64_t min_flight_cycles() const { return min_flight_cycles_; }

    std::vector<plan::ChipProgram> take_programs() { return std::move(programs_); }

    // The channels a transfer from plan chip `src` to `dst` takes: the first
    // minimal route, computed once per pair.
    const std::vector<topology::ChannelId>& route(std::size_t src, std::size_t dst);

private:
    void append(std::size_t chip, std::int64_t cycle, plan::InstructionBody body, std::int64_t duration);

    const collectives::FabricTiming& fabric_;
    double clock_hz_;
    std::vector<topology::ChipId> chips_;
    SchedulerParams params_;
    std::vector<plan::ChipProgram> programs_;
    std::vector<std::map<std::string, plan::BufferId>> buffer_index_;
    std::vector<std::int64_t> clock_;
    std::vector<std::int64_t> last_deskew_;
    std::map<std::pair<std::size_t, std::size_t>, std::vector<topology::ChannelId>> routes_;
    std::uint64_t next_tag_ = 1;
    std::int64_t min_flight_cycles_ = -1;
};

}  // namespace lpu::compiler
