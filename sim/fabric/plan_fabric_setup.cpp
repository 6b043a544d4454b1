#include "sim/fabric/plan_fabric_setup.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "plan/transfer_matching.hpp"
#include "sim/clock/alignment_protocol.hpp"
#include "sim/clock/event_engine.hpp"
#include "sim/fabric/receive_ring.hpp"
#include "sim/random.hpp"

namespace lpu::sim {
namespace {

// Labels of the random streams (distinct from one another; the seed does the rest).
constexpr std::uint64_t link_stream = 110;
constexpr std::uint64_t crystal_stream = 120;
constexpr std::uint64_t oscillator_stream = 130;

std::vector<OscillatorParams> drifting_crystals(std::size_t chips, const ChipSpec& spec,
                                                const PlanLockstepConfig& config) {
    SplitMix64 crystals(stream_key(config.seed, crystal_stream));
    std::vector<OscillatorParams> oscillators(chips);
    for (std::size_t chip = 0; chip < chips; ++chip) {
        OscillatorParams& params = oscillators[chip];
        params.nominal_hz = spec.clock_hz;
        params.offset_ppm = crystals.uniform(-config.drift.crystal_ppm, config.drift.crystal_ppm);
        params.wander_ppm_per_sqrt_s = config.drift.wander_ppm_per_sqrt_s;
        params.wander_step_cycles = std::max<std::int64_t>(1, spec.clock_hz / 10);
        params.seed = stream_key(config.seed, oscillator_stream, chip);
    }
    return oscillators;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

void require_chips_in(const plan::Plan& plan, const topology::Topology& topology) {
    for (const plan::ChipProgram& program : plan.chips) {
        require(program.chip < topology.chip_count(), "the plan's chip " + std::to_string(program.chip) +
                                                          " is not in the topology of " +
                                                          std::to_string(topology.chip_count()) + " chips");
        // A ring_sequence holds the step above an instruction index of 32 bits.
        require(program.instructions.size() < (std::size_t{1} << 32),
                "chip " + std::to_string(program.chip) + " has more than 2^32 instructions");
    }
}

void list_deskews(const plan::Plan& plan, const plan::StepTiming& timing, std::int64_t offset,
                  std::vector<DeskewPoint>& deskews) {
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        const auto& instructions = plan.chips[c].instructions;
        for (std::size_t i = 0; i < instructions.size(); ++i) {
            const std::int64_t pad = std::holds_alternative<plan::RuntimeDeskew>(instructions[i].body) ||
                                             std::holds_alternative<plan::Deskew>(instructions[i].body)
                                         ? plan::instruction_duration(instructions[i].body)
                                         : -1;
            if (pad >= 0) deskews.push_back({plan.chips[c].chip, offset + timing.cycles[c][i], pad});
        }
    }
}

// a + b, refused (not wrapped) past 64 bits: a corrupted plan can hold steps
// of 2^62 cycles.
std::int64_t checked_cycle_sum(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    require(!__builtin_add_overflow(a, b, &sum), "the plan's steps overflow the 64-bit cycle count");
    return sum;
}

// The last epoch boundary from which steps of `cycles` end by the next round
// (never before the settled start: steps that do not fit are refused by the caller).
std::int64_t latest_start_cycle(std::int64_t cycles, const FabricSetup& setup) {
    const std::int64_t epoch = setup.alignment.epoch_cycles;
    const std::int64_t latest = (setup.next_round_cycle - std::min(cycles, setup.next_round_cycle)) / epoch * epoch;
    return std::max(setup.start_cycle, latest);
}

}  // namespace

void require_config(const PlanLockstepConfig& config) {
    require(config.steps >= 1 && config.steps <= 1'000'000,
            "steps must be between 1 and 1e6, got " + std::to_string(config.steps));
    require(config.first_position >= 0, "the first position must be >= 0, got " +
                                            std::to_string(config.first_position));
}

FabricSetup::FabricSetup(const topology::Topology& topology, const ChipSpec& spec, const PlanLockstepConfig& config)
    : links(link_timing_from_spec(spec), stream_key(config.seed, link_stream)),
      alignment(derive_alignment_params(spec, links.timing(), config.drift)),
      tree(bfs_spanning_tree(topology, alignment.root)),
      crystals(drifting_crystals(topology.chip_count(), spec, config)),
      settling_rounds(static_cast<std::int64_t>(tree.max_depth) + 3) {
    const std::int64_t settled = round_value(alignment, 0, settling_rounds - 1) +
                                 (static_cast<std::int64_t>(tree.max_depth) + 1) * alignment.level_delay_cycles;
    start_cycle = ceil_div(settled, alignment.epoch_cycles) * alignment.epoch_cycles;
    next_round_cycle = round_value(alignment, 0, settling_rounds);
}

SettledFabric::SettledFabric(const topology::Topology& topology, const ChipSpec& spec,
                             const PlanLockstepConfig& config)
    : setup(topology, spec, config), fabric(topology, setup.crystals, setup.links, setup.alignment) {
    fabric.calibrate_latencies();
    EventEngine engine;
    fabric.schedule_rounds(engine, setup.settling_rounds, true, {});
    engine.run();
}

PlanTransfers list_plan_transfers(const plan::Plan& plan, const topology::Topology& topology, const ChipSpec& spec,
                                  const PlanLockstepConfig& config, const FabricSetup& setup) {
    require_chips_in(plan, topology);
    const LinkTiming& link = setup.links.timing();
    const double hop_bound = hop_error_bound_cycles(setup.alignment, spec, link, config.drift);
    const std::vector<std::uint32_t>& depth = setup.tree.depth;
    const std::int64_t extra_hop_cycles = ceil_div(link.latency_ps * spec.clock_hz, 1'000'000'000'000);

    const plan::Retimer retimer(plan);
    // What every step shares: each pair's transfer, less its cycles.
    const std::vector<plan::MatchedTransfer>& matched = retimer.transfers();
    std::vector<ScheduledTransfer> pairs(matched.size());
    std::vector<std::int64_t> slack(matched.size());
    std::vector<std::int64_t> extra_send_cycles(matched.size());
    for (std::size_t i = 0; i < matched.size(); ++i) {
        const plan::MatchedTransfer& pair = matched[i];
        const plan::ChipProgram& sender = plan.chips[pair.send.chip];
        const plan::ChipProgram& receiver = plan.chips[pair.recv.chip];
        const auto& send = std::get<plan::Send>(sender.instructions[pair.send.instruction].body);
        const auto& recv = std::get<plan::Recv>(receiver.instructions[pair.recv.instruction].body);
        require(!send.route.empty(), [&] { return plan::describe(plan, pair.send) + " has an empty route"; });
        const plan::Buffer& buffer = receiver.buffers.at(recv.buffer);
        const std::int64_t depth_vectors = ring_depth_slots(buffer.size_bytes, link.vector_bytes);
        require(message_slots(recv.bytes, link.vector_bytes) <= depth_vectors, [&] {
            return plan::describe(plan, pair.recv) + " receives " + std::to_string(recv.bytes) + " bytes into buffer '" +
                   buffer.name + "' of " + std::to_string(buffer.size_bytes) + " bytes (" +
                   std::to_string(depth_vectors) + " vectors): it does not fit";
        });
        ScheduledTransfer& transfer = pairs[i];
        transfer.source = sender.chip;
        transfer.destination = receiver.chip;
        transfer.bytes = recv.bytes;
        transfer.buffer = recv.buffer;
        transfer.buffer_vectors = depth_vectors;
        transfer.jitter_stream = send.route.front();
        slack[i] = static_cast<std::int64_t>(std::ceil(hop_bound * (depth[sender.chip] + depth[receiver.chip])));
        extra_send_cycles[i] = static_cast<std::int64_t>(send.route.size() - 1) * extra_hop_cycles;
    }

    // Step by step, each step's transfers by send cycle (ties in pair order),
    // cycles from the first step's start; the start is added once the steps'
    // length is known (with before_next_round, the start depends on it).
    PlanTransfers out;
    out.transfers.reserve(pairs.size() * static_cast<std::size_t>(config.steps));
    out.slack_cycles.reserve(out.transfers.capacity());
    std::vector<std::pair<std::int64_t, std::size_t>> by_send(matched.size());
    std::int64_t offset = 0;
    for (std::int64_t step = 0; step < config.steps; ++step) {
        const plan::StepTiming timing = retimer.timing(config.first_position + step);
        for (std::size_t i = 0; i < matched.size(); ++i) {
            const plan::InstructionIndex& send = matched[i].send;
            by_send[i] = {offset + timing.cycles[send.chip][send.instruction] + extra_send_cycles[i], i};
        }
        std::sort(by_send.begin(), by_send.end());
        for (const auto& [send_cycle, i] : by_send) {
            const plan::InstructionIndex& recv = matched[i].recv;
            ScheduledTransfer& transfer = out.transfers.emplace_back(pairs[i]);
            transfer.send_cycle = send_cycle;
            transfer.read_cycle = offset + timing.cycles[recv.chip][recv.instruction];
            // The receiver's Recvs in program order, step after step (sim/fabric/receive_ring.hpp).
            transfer.ring_sequence = static_cast<std::uint64_t>(step) << 32 | recv.instruction;
            out.slack_cycles.push_back(slack[i]);
        }
        list_deskews(plan, timing, offset, out.deskews);
        offset = checked_cycle_sum(offset, timing.end_cycle());
    }
    out.start_cycle = config.before_next_round ? latest_start_cycle(offset, setup) : setup.start_cycle;
    out.end_cycle = checked_cycle_sum(out.start_cycle, offset);
    for (ScheduledTransfer& transfer : out.transfers) {  // within out.end_cycle: no overflow
        transfer.send_cycle += out.start_cycle;
        transfer.read_cycle += out.start_cycle;
    }
    for (DeskewPoint& point : out.deskews) point.cycle += out.start_cycle;
    return out;
}

std::int64_t steps_before_next_round(const plan::Plan& plan, std::int64_t first_position, std::int64_t steps,
                                     const FabricSetup& setup) {
    const plan::Retimer retimer(plan);
    std::int64_t end = setup.start_cycle;
    for (std::int64_t step = 0; step < steps; ++step) {
        end = checked_cycle_sum(end, retimer.step_end_cycle(first_position + step));
        if (end > setup.next_round_cycle) return std::max<std::int64_t>(1, step);
    }
    return steps;
}

}  // namespace lpu::sim
