#include "sim/fabric/lockstep.hpp"

#include <map>
#include <string>
#include <utility>

#include "base/error.hpp"

namespace lpu::sim {
namespace {

struct Timing {
    std::int64_t send_ps = 0;
    std::int64_t read_ps = 0;
    std::uint64_t jitter_index = 0;
    std::int64_t vectors = 0;
    std::int64_t first_slot = 0;  // position in its buffer's ring, unwrapped
};

void validate_transfer(const ScheduledTransfer& transfer, std::size_t index, std::size_t chips) {
    const std::string name = "transfer " + std::to_string(index);
    require(transfer.source < chips && transfer.destination < chips,
            name + ": chips " + std::to_string(transfer.source) + " -> " + std::to_string(transfer.destination) +
                " are not all among the " + std::to_string(chips) + " chips");
    require(transfer.send_cycle >= 0 && transfer.read_cycle >= 0,
            name + ": send_cycle and read_cycle must be >= 0");
    require(transfer.bytes >= 1, name + ": bytes must be >= 1, got " + std::to_string(transfer.bytes));
    require(transfer.buffer_vectors >= 1,
            name + ": buffer_vectors must be >= 1, got " + std::to_string(transfer.buffer_vectors));
}

// The first counter cycle of `chip` whose edge is at or after `true_ps`.
std::int64_t first_count_at_or_after(ChipClocks& clocks, topology::ChipId chip, std::int64_t true_ps) {
    const std::int64_t count = clocks.count_at(chip, true_ps);
    return clocks.true_ps_at(chip, count) == true_ps ? count : count + 1;
}

}  // namespace

LockstepReport check_lockstep(std::span<const ScheduledTransfer> transfers, ChipClocks& clocks,
                              const LinkModel& links) {
    std::vector<std::int64_t> send_ps(transfers.size());
    for (std::size_t i = 0; i < transfers.size(); ++i) {
        validate_transfer(transfers[i], i, clocks.chip_count());
        send_ps[i] = clocks.true_ps_at(transfers[i].source, transfers[i].send_cycle);
    }
    return check_lockstep_at_receivers(transfers, send_ps, clocks, links, {});
}

LockstepReport check_lockstep_at_receivers(std::span<const ScheduledTransfer> transfers,
                                           std::span<const std::int64_t> send_ps, ChipClocks& clocks,
                                           const LinkModel& links,
                                           const std::function<bool(topology::ChipId)>& receives) {
    require(send_ps.size() == transfers.size(), "check_lockstep_at_receivers: one send time per transfer");
    LockstepReport report;
    std::vector<Timing> timings(transfers.size());
    std::map<std::uint64_t, std::uint64_t> stream_counts;
    // (destination, buffer) -> (depth, transfers in fill order)
    std::map<std::pair<topology::ChipId, std::uint32_t>, std::pair<std::int64_t, std::vector<std::size_t>>> buffers;

    for (std::size_t i = 0; i < transfers.size(); ++i) {
        const ScheduledTransfer& transfer = transfers[i];
        validate_transfer(transfer, i, clocks.chip_count());
        Timing& timing = timings[i];
        timing.jitter_index = stream_counts[transfer.jitter_stream]++;
        if (receives && !receives(transfer.destination)) continue;
        ++report.transfers;
        timing.vectors = vector_slots(transfer.bytes, links.timing().vector_bytes);
        require(timing.vectors <= transfer.buffer_vectors,
                "transfer " + std::to_string(i) + ": " + std::to_string(timing.vectors) +
                    " vectors do not fit its receive buffer of " + std::to_string(transfer.buffer_vectors));
        timing.send_ps = send_ps[i];
        timing.read_ps = clocks.true_ps_at(transfer.destination, transfer.read_cycle);

        auto& [depth, members] = buffers[{transfer.destination, transfer.buffer}];
        if (members.empty()) depth = transfer.buffer_vectors;
        require(depth == transfer.buffer_vectors,
                "transfer " + std::to_string(i) + ": buffer " + std::to_string(transfer.buffer) + " of chip " +
                    std::to_string(transfer.destination) + " is listed with depths " + std::to_string(depth) +
                    " and " + std::to_string(transfer.buffer_vectors));
        timing.first_slot = members.empty() ? 0 : timings[members.back()].first_slot + timings[members.back()].vectors;
        members.push_back(i);

        const std::int64_t arrival_ps =
            timing.send_ps + links.transfer_ps(transfer.jitter_stream, timing.jitter_index, transfer.bytes);
        if (arrival_ps > timing.read_ps) {
            const std::int64_t arrival_cycle = first_count_at_or_after(clocks, transfer.destination, arrival_ps);
            report.violations.push_back({ViolationKind::late, i, std::nullopt, transfer.source, transfer.destination,
                                         arrival_ps, timing.read_ps, arrival_ps - timing.read_ps,
                                         arrival_cycle - transfer.read_cycle});
        }
    }

    for (const auto& [key, buffer] : buffers) {
        const auto& [depth, members] = buffer;
        for (std::size_t position = 0; position < members.size(); ++position) {
            const std::size_t victim = members[position];
            const Timing& own = timings[victim];
            // The first later transfer reaching slot first_slot + depth.
            for (std::size_t later = position + 1; later < members.size(); ++later) {
                const std::size_t writer = members[later];
                const Timing& other = timings[writer];
                if (other.first_slot + other.vectors <= own.first_slot + depth) continue;
                const std::int64_t vector = std::max<std::int64_t>(0, own.first_slot + depth - other.first_slot);
                const std::int64_t landing_ps =
                    other.send_ps + links.vector_arrival_ps(transfers[writer].jitter_stream, other.jitter_index, vector);
                if (landing_ps <= own.read_ps) {
                    const ScheduledTransfer& transfer = transfers[victim];
                    const std::int64_t landing_cycle = clocks.count_at(transfer.destination, landing_ps);
                    report.violations.push_back({ViolationKind::overwritten, victim, writer, transfer.source,
                                                 transfer.destination, landing_ps, own.read_ps,
                                                 own.read_ps - landing_ps, transfer.read_cycle - landing_cycle});
                }
                break;
            }
        }
    }
    return report;
}

std::string describe(const LockstepViolation& violation) {
    std::string text = "transfer " + std::to_string(violation.transfer) + " (chip " +
                       std::to_string(violation.source) + " -> " + std::to_string(violation.destination) + ") ";
    if (violation.kind == ViolationKind::late) {
        text += "read " + std::to_string(violation.by_ps) + " ps (" + std::to_string(violation.by_cycles) +
                " cycles) before its data arrived";
    } else {
        text += "overwritten by transfer " + std::to_string(violation.overwritten_by.value_or(0)) + " " +
                std::to_string(violation.by_ps) + " ps (" + std::to_string(violation.by_cycles) +
                " cycles) before it was read";
    }
    return text;
}

void require_lockstep(const LockstepReport& report) {
    if (report.ok()) return;
    throw Error("lockstep violated: " + std::to_string(report.violations.size()) + " of " +
                std::to_string(report.transfers) + " transfers; first: " + describe(report.violations.front()));
}

}  // namespace lpu::sim
