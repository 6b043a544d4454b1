#include "sim/fabric/plan_fabric_setup.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "plan/transfer_matching.hpp"
#include "sim/clock/alignment_protocol.hpp"
#include "sim/clock/event_engine.hpp"
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
    for (const plan::ChipProgram& program : plan.chips)
        require(program.chip < topology.chip_count(), "the plan's chip " + std::to_string(program.chip) +
                                                          " is not in the topology of " +
                                                          std::to_string(topology.chip_count()) + " chips");
}

// What the schedule of every step gives one transfer, before the steps are merged.
struct Listed {
    std::int64_t step = 0;
    ScheduledTransfer transfer;
    std::int64_t slack = 0;
};

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

    const std::vector<plan::MatchedTransfer> matched = plan::match_transfers(plan);
    const plan::Retimer retimer(plan);
    PlanTransfers out;
    std::vector<Listed> listed;
    std::int64_t offset = setup.start_cycle;
    for (std::int64_t step = 0; step < config.steps; ++step) {
        const plan::StepTiming timing = retimer.timing(config.first_position + step);
        for (const plan::MatchedTransfer& pair : matched) {
            const plan::ChipProgram& sender = plan.chips[pair.send.chip];
            const plan::ChipProgram& receiver = plan.chips[pair.recv.chip];
            const auto& send = std::get<plan::Send>(sender.instructions[pair.send.instruction].body);
            const auto& recv = std::get<plan::Recv>(receiver.instructions[pair.recv.instruction].body);
            require(!send.route.empty(), plan::describe(plan, pair.send) + " has an empty route");
            const plan::Buffer& buffer = receiver.buffers.at(recv.buffer);
            const std::int64_t depth_vectors = ceil_div(buffer.size_bytes, link.vector_bytes);
            require(vector_slots(recv.bytes, link.vector_bytes) <= depth_vectors,
                    plan::describe(plan, pair.recv) + " receives " + std::to_string(recv.bytes) +
                        " bytes into buffer '" + buffer.name + "' of " + std::to_string(buffer.size_bytes) +
                        " bytes (" + std::to_string(depth_vectors) + " vectors): it does not fit");
            Listed entry;
            entry.step = step;
            ScheduledTransfer& transfer = entry.transfer;
            transfer.source = sender.chip;
            transfer.destination = receiver.chip;
            transfer.send_cycle = offset + timing.cycles[pair.send.chip][pair.send.instruction] +
                                  static_cast<std::int64_t>(send.route.size() - 1) * extra_hop_cycles;
            transfer.read_cycle = offset + timing.cycles[pair.recv.chip][pair.recv.instruction];
            transfer.bytes = recv.bytes;
            transfer.buffer = recv.buffer;
            transfer.buffer_vectors = depth_vectors;
            transfer.jitter_stream = send.route.front();
            entry.slack = static_cast<std::int64_t>(
                std::ceil(hop_bound * (depth[sender.chip] + depth[receiver.chip])));
            listed.push_back(entry);
        }
        list_deskews(plan, timing, offset, out.deskews);
        offset += timing.end_cycle();
    }
    out.end_cycle = offset;
    std::stable_sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
        return std::tie(a.step, a.transfer.send_cycle) < std::tie(b.step, b.transfer.send_cycle);
    });
    for (const Listed& entry : listed) {
        out.transfers.push_back(entry.transfer);
        out.slack_cycles.push_back(entry.slack);
    }
    return out;
}

std::int64_t steps_before_next_round(const plan::Plan& plan, std::int64_t first_position, std::int64_t steps,
                                     const FabricSetup& setup) {
    const plan::Retimer retimer(plan);
    std::int64_t end = setup.start_cycle;
    for (std::int64_t step = 0; step < steps; ++step) {
        end += retimer.step_end_cycle(first_position + step);
        if (end > setup.next_round_cycle) return std::max<std::int64_t>(1, step);
    }
    return steps;
}

}  // namespace lpu::sim
