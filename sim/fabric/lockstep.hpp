#pragma once
// Lockstep checking: transfers are scheduled in counter cycles (send at s on
// chip A, read at r on chip B, into a receive ring buffer of d vectors); this
// works out in true time whether each one arrived before it was read and was
// not overwritten before it was read. A violation is an error, never silent:
// check_lockstep reports every one, and require_lockstep (what an executor of
// a plan calls) throws lpu::Error when there is any.
//
// Rules, in true time (writes at a picosecond happen before reads at it):
// - late: the last vector arrives after the read (send time + link latency +
//   jitter + serialisation of ceil(bytes / vector) vectors > read time);
// - overwritten: transfers into one buffer of a chip fill its ring in the
//   order they are listed; the first later transfer whose vectors wrap onto
//   this one's slots lands its first such vector at or before this one's read.
// Each transfer's jitter is message n of its jitter stream, n counting the
// transfers of that stream in list order.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/chip/link_model.hpp"
#include "sim/clock/chip_clocks.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

struct ScheduledTransfer {
    topology::ChipId source = 0;
    topology::ChipId destination = 0;
    std::int64_t send_cycle = 0;       // on the source's counter
    std::int64_t read_cycle = 0;       // on the destination's counter
    std::int64_t bytes = 0;
    std::uint32_t buffer = 0;          // receive buffer id on the destination
    std::int64_t buffer_vectors = 1;   // its ring depth d
    std::uint64_t jitter_stream = 0;   // e.g. the channel it crosses
};

enum class ViolationKind { late, overwritten };

struct LockstepViolation {
    ViolationKind kind = ViolationKind::late;
    std::size_t transfer = 0;                    // index into the checked list
    std::optional<std::size_t> overwritten_by;   // for overwritten
    topology::ChipId source = 0;
    topology::ChipId destination = 0;
    std::int64_t arrival_ps = 0;                 // of the data (late) or the overwriting vector
    std::int64_t read_ps = 0;
    std::int64_t by_ps = 0;                      // how late / how early the overwrite, >= 0
    std::int64_t by_cycles = 0;                  // the same on the destination's counter
};

struct LockstepReport {
    std::size_t transfers = 0;
    std::vector<LockstepViolation> violations;
    bool ok() const { return violations.empty(); }
};

// Throws lpu::Error on malformed transfers (unknown chip, negative sizes,
// a transfer larger than its buffer, one buffer listed with two depths).
LockstepReport check_lockstep(std::span<const ScheduledTransfer> transfers, ChipClocks& clocks,
                              const LinkModel& links);

// The same check made where the receivers are (a process that hosts only some
// chips): send_ps[i] is when transfer i left, as its sender's clock gave it,
// `clocks` is asked only about the chips for which `receives` holds (all when
// empty), and only the transfers into those chips are checked and counted.
// Jitter indices still count every listed transfer, so each receiver finds
// the same violations as check_lockstep over the whole list.
LockstepReport check_lockstep_at_receivers(std::span<const ScheduledTransfer> transfers,
                                           std::span<const std::int64_t> send_ps, ChipClocks& clocks,
                                           const LinkModel& links,
                                           const std::function<bool(topology::ChipId)>& receives);

// One line per violation, e.g. "transfer 3 (chip 0 -> 1) late by 1200 ps (2 cycles)".
std::string describe(const LockstepViolation& violation);

// Throws lpu::Error naming the violation count and the first one.
void require_lockstep(const LockstepReport& report);

}  // namespace lpu::sim
