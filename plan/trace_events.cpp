#include "plan/trace_events.hpp"

#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "plan/chip_selection.hpp"
#include "plan/retime.hpp"
#include "plan/transfer_matching.hpp"

namespace lpu::plan {
namespace {

// Thread ids inside each chip's process.
constexpr int ops_thread = 1;
constexpr int transfers_thread = 2;

// Sends and recvs are instants in the plan; they get a slice this long so that
// flow arrows have something to bind to.
constexpr std::int64_t transfer_marker_cycles = 1;

class TraceWriter {
public:
    explicit TraceWriter(double clock_hz) : clock_hz_(clock_hz) {}

    void metadata(std::int64_t pid, int tid, const char* name, nlohmann::json args) {
        events_.push_back({{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"name", name}, {"args", std::move(args)}});
    }
    void slice(std::int64_t pid, int tid, std::string name, const char* category, std::int64_t cycle, std::int64_t cycles,
               nlohmann::json args) {
        events_.push_back({{"ph", "X"},
                           {"pid", pid},
                           {"tid", tid},
                           {"name", std::move(name)},
                           {"cat", category},
                           {"ts", microseconds(cycle)},
                           {"dur", microseconds(cycles)},
                           {"args", std::move(args)}});
    }
    void instant(std::int64_t pid, int tid, std::string name, const char* category, std::int64_t cycle, nlohmann::json args) {
        events_.push_back({{"ph", "i"},
                           {"s", "t"},
                           {"pid", pid},
                           {"tid", tid},
                           {"name", std::move(name)},
                           {"cat", category},
                           {"ts", microseconds(cycle)},
                           {"args", std::move(args)}});
    }
    // A flow from the slice enclosing the start to the slice enclosing the finish.
    void flow(std::size_t id, std::int64_t from_pid, std::int64_t from_cycle, std::int64_t to_pid, std::int64_t to_cycle) {
        events_.push_back({{"ph", "s"}, {"id", id}, {"name", "transfer"}, {"cat", "transfer"}, {"pid", from_pid},
                           {"tid", transfers_thread}, {"ts", microseconds(from_cycle)}});
        events_.push_back({{"ph", "f"}, {"bp", "e"}, {"id", id}, {"name", "transfer"}, {"cat", "transfer"},
                           {"pid", to_pid}, {"tid", transfers_thread}, {"ts", microseconds(to_cycle)}});
    }
    nlohmann::json finish() && { return {{"traceEvents", std::move(events_)}, {"displayTimeUnit", "ns"}}; }

private:
    double microseconds(std::int64_t cycles) const { return static_cast<double>(cycles) * 1e6 / clock_hz_; }

    double clock_hz_;
    nlohmann::json events_ = nlohmann::json::array();
};

// Chip ids start at 0, process ids at 1 (trace viewers treat pid 0 as the idle process).
std::int64_t pid_of(topology::ChipId chip) { return std::int64_t{chip} + 1; }

void add_transfer(TraceWriter& trace, std::int64_t pid, std::int64_t cycle, const Transfer& transfer, std::string name) {
    trace.slice(pid, transfers_thread, std::move(name), "transfer", cycle, transfer_marker_cycles,
                {{"cycle", cycle},
                 {"tag", transfer.tag},
                 {"bytes", transfer.bytes},
                 {"hops", transfer.route.size()},
                 {"flight_cycles", transfer.flight_cycles}});
}

void add_chip_metadata(TraceWriter& trace, const ChipProgram& program, std::size_t order) {
    const std::int64_t pid = pid_of(program.chip);
    trace.metadata(pid, 0, "process_name",
                   {{"name", "chip " + std::to_string(program.chip) + " (tp " + std::to_string(program.role.tp_rank) +
                                 ", stage " + std::to_string(program.role.pp_stage) + ")"}});
    trace.metadata(pid, 0, "process_sort_index", {{"sort_index", order}});
    trace.metadata(pid, ops_thread, "thread_name", {{"name", "ops"}});
    trace.metadata(pid, transfers_thread, "thread_name", {{"name", "transfers"}});
}

void add_instruction(TraceWriter& trace, topology::ChipId chip, const Instruction& instruction) {
    const std::int64_t pid = pid_of(chip);
    const std::int64_t cycle = instruction.cycle;
    const InstructionBody& body = instruction.body;
    if (const auto* compute = std::get_if<Compute>(&body)) {
        trace.slice(pid, ops_thread, op_kind_name(compute->op), "compute", cycle, compute->cycles,
                    {{"cycle", cycle}, {"cycles", compute->cycles}, {"shape", compute->shape}});
    } else if (const auto* send = std::get_if<Send>(&body)) {
        add_transfer(trace, pid, cycle, *send, "send to chip " + std::to_string(send->peer));
    } else if (const auto* recv = std::get_if<Recv>(&body)) {
        add_transfer(trace, pid, cycle, *recv, "recv from chip " + std::to_string(recv->peer));
    } else if (const auto* deskew = std::get_if<Deskew>(&body)) {
        trace.slice(pid, ops_thread, "deskew", "deskew", cycle, deskew->pad_cycles, {{"cycle", cycle}, {"pad_cycles", deskew->pad_cycles}});
    } else if (const auto* deskew = std::get_if<RuntimeDeskew>(&body)) {
        trace.slice(pid, ops_thread, "runtime deskew (at most)", "deskew", cycle, deskew->max_pad_cycles,
                    {{"cycle", cycle}, {"max_pad_cycles", deskew->max_pad_cycles}});
    } else if (const auto* collective = std::get_if<Collective>(&body)) {
        trace.instant(pid, ops_thread, "collective", "collective", cycle,
                      {{"cycle", cycle}, {"schedule", collective->schedule}, {"rank", collective->rank}});
    } else if (const auto* sync = std::get_if<Sync>(&body)) {
        trace.instant(pid, ops_thread, "sync", "sync", cycle, {{"cycle", cycle}, {"barrier", sync->barrier}});
    }
}

}  // namespace

nlohmann::json trace_events(const Plan& plan, const TraceOptions& options) {
    require(std::isfinite(options.clock_hz) && options.clock_hz > 0,
            "the trace clock must be a positive number of Hz, got " + std::to_string(options.clock_hz));
    const std::set<topology::ChipId> shown = select_chips(plan, options.chips);

    const Plan step = retime(plan, options.position);
    TraceWriter trace(options.clock_hz);
    for (std::size_t c = 0; c < step.chips.size(); ++c) {
        const ChipProgram& program = step.chips[c];
        if (!shown.contains(program.chip)) continue;
        add_chip_metadata(trace, program, c);
        for (const Instruction& instruction : program.instructions) add_instruction(trace, program.chip, instruction);
    }
    std::size_t flow_id = 0;
    for (const MatchedTransfer& pair : match_transfers(step)) {
        ++flow_id;  // ids follow the plan's transfers, so a chip filter keeps them stable
        const ChipProgram& sender = step.chips[pair.send.chip];
        const ChipProgram& receiver = step.chips[pair.recv.chip];
        if (!shown.contains(sender.chip) || !shown.contains(receiver.chip)) continue;
        trace.flow(flow_id, pid_of(sender.chip), sender.instructions[pair.send.instruction].cycle, pid_of(receiver.chip),
                   receiver.instructions[pair.recv.instruction].cycle);
    }
    return std::move(trace).finish();
}

}  // namespace lpu::plan
