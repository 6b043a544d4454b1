#include "sim/plan_lockstep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "plan/transfer_matching.hpp"
#include "sim/clock_fabric.hpp"
#include "sim/event_engine.hpp"
#include "sim/link_model.hpp"
#include "sim/random.hpp"
#include "sim/spanning_tree.hpp"

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

// The fabric after calibration and the settling rounds (see the header).
struct SettledFabric {
    LinkModel links;
    AlignmentParams alignment;
    ClockFabric fabric;
    std::int64_t start_cycle = 0;

    SettledFabric(const topology::Topology& topology, const ChipSpec& spec, const PlanLockstepConfig& config)
        : links(link_timing_from_spec(spec), stream_key(config.seed, link_stream)),
          alignment(derive_alignment_params(spec, links.timing(), config.drift)),
          fabric(topology, drifting_crystals(topology.chip_count(), spec, config), links, alignment) {
        const std::int64_t rounds = static_cast<std::int64_t>(fabric.tree().max_depth) + 3;
        fabric.calibrate_latencies();
        EventEngine engine;
        fabric.schedule_rounds(engine, rounds, true, {});
        engine.run();
        // The deepest chip's correction lands within a level delay of its parent's
        // round value; one more level delay clears it, then the next epoch starts.
        const std::int64_t settled = fabric.round_value(alignment.root, rounds - 1) +
                                     (static_cast<std::int64_t>(fabric.tree().max_depth) + 1) *
                                         alignment.level_delay_cycles;
        start_cycle = (settled + alignment.epoch_cycles - 1) / alignment.epoch_cycles * alignment.epoch_cycles;
    }
};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// What the schedule of every step gives one transfer, before the steps are merged.
struct Listed {
    std::int64_t step = 0;
    ScheduledTransfer transfer;
    std::int64_t slack = 0;
};

std::vector<Listed> schedule_transfers(const plan::Plan& plan, const topology::Topology& topology,
                                       const ChipSpec& spec, const PlanLockstepConfig& config,
                                       const SettledFabric& settled, std::int64_t& end_cycle) {
    for (const plan::ChipProgram& program : plan.chips)
        require(program.chip < topology.chip_count(), "the plan's chip " + std::to_string(program.chip) +
                                                          " is not in the topology of " +
                                                          std::to_string(topology.chip_count()) + " chips");
    const LinkTiming& link = settled.links.timing();
    const double hop_bound = hop_error_bound_cycles(settled.alignment, spec, link, config.drift);
    const std::vector<std::uint32_t>& depth = settled.fabric.tree().depth;
    const std::int64_t extra_hop_cycles = ceil_div(link.latency_ps * spec.clock_hz, 1'000'000'000'000);

    const std::vector<plan::MatchedTransfer> matched = plan::match_transfers(plan);
    const plan::Retimer retimer(plan);
    std::vector<Listed> listed;
    std::int64_t offset = settled.start_cycle;
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
        offset += timing.end_cycle();
    }
    end_cycle = offset;
    std::stable_sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
        return std::tie(a.step, a.transfer.send_cycle) < std::tie(b.step, b.transfer.send_cycle);
    });
    return listed;
}

// How early the last vector of each transfer arrives before its read, in the
// receiver's cycles; jitter indices count per stream in list order, as the checker does.
std::int64_t worst_margin(const std::vector<ScheduledTransfer>& transfers, ClockFabric& clocks,
                          const LinkModel& links) {
    std::map<std::uint64_t, std::uint64_t> sent_on_stream;
    std::int64_t worst = std::numeric_limits<std::int64_t>::max();
    for (const ScheduledTransfer& transfer : transfers) {
        const std::uint64_t index = sent_on_stream[transfer.jitter_stream]++;
        const std::int64_t arrival_ps = clocks.true_ps_at(transfer.source, transfer.send_cycle) +
                                        links.transfer_ps(transfer.jitter_stream, index, transfer.bytes);
        worst = std::min(worst, transfer.read_cycle - clocks.count_at(transfer.destination, arrival_ps));
    }
    return transfers.empty() ? 0 : worst;
}

void require_config(const PlanLockstepConfig& config) {
    require(config.steps >= 1 && config.steps <= 1'000'000,
            "steps must be between 1 and 1e6, got " + std::to_string(config.steps));
    require(config.first_position >= 0, "the first position must be >= 0, got " +
                                            std::to_string(config.first_position));
}

}  // namespace

PlanLockstepResult check_plan_lockstep(const plan::Plan& plan, const topology::Topology& topology,
                                       const ChipSpec& spec, const PlanLockstepConfig& config) {
    require_config(config);
    SettledFabric settled(topology, spec, config);
    PlanLockstepResult result;
    result.start_cycle = settled.start_cycle;
    result.correction_period_cycles = settled.alignment.correction_period_cycles;
    for (Listed& entry : schedule_transfers(plan, topology, spec, config, settled, result.end_cycle)) {
        result.transfers.push_back(entry.transfer);
        result.slack_cycles.push_back(entry.slack);
    }
    // The next correction round is due a period after the last one; the plan must end before it.
    const std::int64_t next_round =
        settled.fabric.round_value(settled.alignment.root, settled.fabric.tree().max_depth + 3);
    require(result.end_cycle <= next_round,
            std::to_string(config.steps) + " steps end at cycle " + std::to_string(result.end_cycle) +
                ", after the next alignment round at cycle " + std::to_string(next_round) +
                ": check fewer steps at a time");
    result.report = check_lockstep(result.transfers, settled.fabric, settled.links);
    result.worst_margin_cycles = worst_margin(result.transfers, settled.fabric, settled.links);
    return result;
}

LockstepReport recheck_plan_lockstep(const std::vector<ScheduledTransfer>& transfers,
                                     const topology::Topology& topology, const ChipSpec& spec,
                                     const PlanLockstepConfig& config) {
    require_config(config);
    SettledFabric settled(topology, spec, config);
    return check_lockstep(transfers, settled.fabric, settled.links);
}

}  // namespace lpu::sim
