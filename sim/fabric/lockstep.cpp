#include "sim/fabric/lockstep.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
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

// Messages are built only on failure: every transfer of every step is validated.
void validate_transfer(const ScheduledTransfer& transfer, std::size_t index, std::size_t chips) {
    const auto name = [index] { return "transfer " + std::to_string(index); };
    require(transfer.source < chips && transfer.destination < chips, [&] {
        return name() + ": chips " + std::to_string(transfer.source) + " -> " + std::to_string(transfer.destination) +
               " are not all among the " + std::to_string(chips) + " chips";
    });
    require(transfer.send_cycle >= 0 && transfer.read_cycle >= 0,
            [&] { return name() + ": send_cycle and read_cycle must be >= 0"; });
    require(transfer.bytes >= 1, [&] { return name() + ": bytes must be >= 1, got " + std::to_string(transfer.bytes); });
    require(transfer.buffer_vectors >= 1, [&] {
        return name() + ": buffer_vectors must be >= 1, got " + std::to_string(transfer.buffer_vectors);
    });
}

struct Overwrite {
    std::size_t writer = 0;
    std::int64_t landing_ps = 0;
};

// The later transfer (in ring order) whose vectors, one lap of the ring on,
// land on a slot of members[position] first, if that is at or before its read.
// Only the transfers whose slots overlap the victim's one lap on are visited:
// first slots grow with the ring order, so they are found by binary search.
std::optional<Overwrite> first_overwrite(std::span<const ScheduledTransfer> transfers,
                                         const std::vector<Timing>& timings, const LinkModel& links,
                                         const std::vector<std::size_t>& members, std::size_t position,
                                         std::int64_t depth) {
    const Timing& victim = timings[members[position]];
    const std::int64_t lap_first = victim.first_slot + depth;  // the victim's first slot, one lap on
    const std::int64_t lap_end = lap_first + victim.vectors;
    // The first member whose slots reach lap_first.
    auto later = std::partition_point(members.begin() + static_cast<std::ptrdiff_t>(position) + 1, members.end(),
                                      [&](std::size_t member) {
                                          return timings[member].first_slot + timings[member].vectors <= lap_first;
                                      });
    std::optional<Overwrite> earliest;
    for (; later != members.end() && timings[*later].first_slot < lap_end; ++later) {
        const Timing& writer = timings[*later];
        const std::int64_t vector = std::max<std::int64_t>(0, lap_first - writer.first_slot);
        const std::int64_t landing_ps =
            writer.send_ps + links.vector_arrival_ps(transfers[*later].jitter_stream, writer.jitter_index, vector);
        if (landing_ps <= victim.read_ps && (!earliest || landing_ps < earliest->landing_ps))
            earliest = Overwrite{*later, landing_ps};
    }
    return earliest;
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
    std::unordered_map<std::uint64_t, std::uint64_t> stream_counts;
    // Per receive buffer (destination << 32 | buffer): its depth and its
    // transfers, put in fill order below. Looked up by hash, checked in key order.
    std::unordered_map<std::uint64_t, std::size_t> ring_index;
    std::vector<std::pair<std::uint64_t, std::pair<std::int64_t, std::vector<std::size_t>>>> buffers;

    for (std::size_t i = 0; i < transfers.size(); ++i) {
        const ScheduledTransfer& transfer = transfers[i];
        validate_transfer(transfer, i, clocks.chip_count());
        Timing& timing = timings[i];
        timing.jitter_index = stream_counts[transfer.jitter_stream]++;
        if (receives && !receives(transfer.destination)) continue;
        ++report.transfers;
        timing.vectors = vector_slots(transfer.bytes, links.timing().vector_bytes);
        require(timing.vectors <= transfer.buffer_vectors, [&] {
            return "transfer " + std::to_string(i) + ": " + std::to_string(timing.vectors) +
                   " vectors do not fit its receive buffer of " + std::to_string(transfer.buffer_vectors);
        });
        timing.send_ps = send_ps[i];
        timing.read_ps = clocks.true_ps_at(transfer.destination, transfer.read_cycle);

        const std::uint64_t key = std::uint64_t{transfer.destination} << 32 | transfer.buffer;
        const auto [found, added] = ring_index.try_emplace(key, buffers.size());
        if (added) buffers.push_back({key, {}});
        auto& ring = buffers[found->second].second;
        auto& members = ring.second;
        if (members.empty()) ring.first = transfer.buffer_vectors;
        const auto depth = ring.first;
        require(depth == transfer.buffer_vectors, [&] {
            return "transfer " + std::to_string(i) + ": buffer " + std::to_string(transfer.buffer) + " of chip " +
                   std::to_string(transfer.destination) + " is listed with depths " + std::to_string(depth) + " and " +
                   std::to_string(transfer.buffer_vectors);
        });
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

    std::sort(buffers.begin(), buffers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, buffer] : buffers) {
        auto& [depth, members] = buffer;
        std::stable_sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
            return transfers[a].ring_sequence < transfers[b].ring_sequence;
        });
        std::int64_t next_slot = 0;
        for (const std::size_t member : members) {
            timings[member].first_slot = next_slot;
            next_slot += timings[member].vectors;
        }
        for (std::size_t position = 0; position < members.size(); ++position) {
            const std::size_t victim = members[position];
            if (auto found = first_overwrite(transfers, timings, links, members, position, depth)) {
                const ScheduledTransfer& transfer = transfers[victim];
                const std::int64_t landing_cycle = clocks.count_at(transfer.destination, found->landing_ps);
                report.violations.push_back({ViolationKind::overwritten, victim, found->writer, transfer.source,
                                             transfer.destination, found->landing_ps, timings[victim].read_ps,
                                             timings[victim].read_ps - found->landing_ps,
                                             transfer.read_cycle - landing_cycle});
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
