#include "sim/fabric/chip_fabric.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "sim/clock/alignment_protocol.hpp"

namespace lpu::sim {
namespace {

// The clocks of the hosted chips, as the checks ask about them.
class HostedClocks final : public ChipClocks {
public:
    HostedClocks(const FabricSetup& setup, const std::vector<bool>& hosted) : counters_(hosted.size()) {
        for (std::size_t chip = 0; chip < hosted.size(); ++chip)
            if (hosted[chip]) counters_[chip].emplace(setup.crystals[chip], setup.alignment.epoch_cycles);
    }
    std::size_t chip_count() const override { return counters_.size(); }
    bool hosts(topology::ChipId chip) const { return chip < counters_.size() && counters_[chip].has_value(); }
    ChipCounter& counter(topology::ChipId chip) {
        invariant(hosts(chip), [&] { return "chip " + std::to_string(chip) + "'s clock is not kept in this process"; });
        return *counters_[chip];
    }
    std::int64_t true_ps_at(topology::ChipId chip, std::int64_t count) override {
        ChipCounter& c = counter(chip);
        return c.oscillator.edge_ps(c.hac.first_cycle_reaching(count));
    }
    std::int64_t count_at(topology::ChipId chip, std::int64_t true_ps) override {
        ChipCounter& c = counter(chip);
        return c.hac.value(c.oscillator.cycle_at(true_ps));
    }

private:
    std::vector<std::optional<ChipCounter>> counters_;
};

// Int128 latencies travel as two words.
std::array<std::int64_t, 2> split(Int128 value) {
    return {static_cast<std::int64_t>(value >> 64), static_cast<std::int64_t>(static_cast<std::uint64_t>(value))};
}
Int128 join(std::span<const std::int64_t, 2> words) {
    return (Int128{words[0]} << 64) | Int128{static_cast<std::uint64_t>(words[1])};
}

void send_stamp(FabricWire& wire, topology::ChipId from, topology::ChipId to, FabricMessage kind, std::uint32_t index,
                const ProtocolStamp& stamp) {
    const std::int64_t words[] = {stamp.value, stamp.arrival_ps};
    wire.send(from, to, kind, index, words);
}

ProtocolStamp receive_stamp(FabricWire& wire, topology::ChipId to, topology::ChipId from, FabricMessage kind,
                            std::uint32_t index) {
    std::int64_t words[2] = {};
    wire.receive(to, from, kind, index, words);
    return {words[0], words[1]};
}

class ChipFabric {
public:
    ChipFabric(const FabricSetup& setup, const std::vector<bool>& hosted, FabricWire& wire)
        : setup_(setup), tree_(setup.tree), clocks_(setup, hosted), wire_(wire) {}

    HostedClocks& clocks() { return clocks_; }

    void calibrate() {
        const AlignmentParams& params = setup_.alignment;
        for_each_link([&](topology::ChipId parent, topology::ChipId child) {  // 1
            if (!clocks_.hosts(parent)) return;
            for (std::int32_t echo = 0; echo < params.echo_count; ++echo)
                send_stamp(wire_, parent, child, FabricMessage::echo_out, index(echo),
                           echo_out(clocks_.counter(parent), setup_.links, tree_.down_channel[child], params, echo));
        });
        for_each_link([&](topology::ChipId parent, topology::ChipId child) {  // 2
            if (!clocks_.hosts(child)) return;
            for (std::int32_t echo = 0; echo < params.echo_count; ++echo) {
                const ProtocolStamp out = receive_stamp(wire_, child, parent, FabricMessage::echo_out, index(echo));
                const std::int64_t back_ps =
                    echo_back_ps(clocks_.counter(child), setup_.links, tree_.up_channel[child], echo, out.arrival_ps);
                send_stamp(wire_, child, parent, FabricMessage::echo_back, index(echo), {out.value, back_ps});
            }
        });
        for_each_link([&](topology::ChipId parent, topology::ChipId child) {  // 3
            if (!clocks_.hosts(parent)) return;
            Int128 round_trips = 0;
            for (std::int32_t echo = 0; echo < params.echo_count; ++echo) {
                const ProtocolStamp back = receive_stamp(wire_, parent, child, FabricMessage::echo_back, index(echo));
                round_trips += echo_round_trip_cycles(clocks_.counter(parent), {back.value, 0}, back.arrival_ps);
            }
            const auto words = split(latency_from_round_trips_q32(round_trips, params.echo_count));
            wire_.send(parent, child, FabricMessage::latency, 0, words);
        });
        for_each_link([&](topology::ChipId parent, topology::ChipId child) {  // 4
            if (!clocks_.hosts(child)) return;
            std::array<std::int64_t, 2> words{};
            wire_.receive(child, parent, FabricMessage::latency, 0, words);
            clocks_.counter(child).latency_q32 = join(words);
        });
    }

    void run_rounds() {  // 5
        const AlignmentParams& params = setup_.alignment;
        for (std::int64_t round = 0; round < setup_.settling_rounds; ++round) {
            for (const topology::ChipId chip : tree_.order) {
                if (!clocks_.hosts(chip)) continue;
                ChipCounter& own = clocks_.counter(chip);
                if (chip != tree_.root) {
                    CorrectionBurst burst;
                    for (std::int32_t message = 0; message < params.correction_messages; ++message)
                        burst.receive(own, receive_stamp(wire_, chip, tree_.parent[chip], FabricMessage::correction,
                                                         burst_index(round, message)));
                    burst.finish(own, chip, round, params, tree_.max_depth, true);
                }
                const std::int64_t value = round_value(params, tree_.depth[chip], round);
                for (const topology::ChipId child : tree_.children[chip])
                    for (std::int32_t message = 0; message < params.correction_messages; ++message)
                        send_stamp(wire_, chip, child, FabricMessage::correction, burst_index(round, message),
                                   correction_stamp(own, setup_.links, tree_.down_channel[child], params, round,
                                                    value, message));
            }
        }
    }

    // 6 and 7: every transfer's send time, filled in where its receiver is hosted.
    std::vector<std::int64_t> exchange_departures(std::span<const ScheduledTransfer> transfers) {
        const auto hosted = [this](topology::ChipId chip) { return clocks_.hosts(chip); };
        std::vector<std::int64_t> send_ps = send_times(transfers, clocks_, hosted);
        // (sender, receiver) -> its transfers in list order
        std::map<std::pair<topology::ChipId, topology::ChipId>, std::vector<std::size_t>> pairs;
        for (std::size_t i = 0; i < transfers.size(); ++i)
            pairs[{transfers[i].source, transfers[i].destination}].push_back(i);
        std::vector<std::int64_t> words;
        for (const auto& [pair, members] : pairs) {
            if (!clocks_.hosts(pair.first)) continue;
            words.clear();
            for (const std::size_t i : members) words.push_back(send_ps[i]);
            wire_.send(pair.first, pair.second, FabricMessage::departures, 0, words);
        }
        for (const auto& [pair, members] : pairs) {
            if (!clocks_.hosts(pair.second)) continue;
            words.assign(members.size(), 0);
            wire_.receive(pair.second, pair.first, FabricMessage::departures, 0, words);
            for (std::size_t k = 0; k < members.size(); ++k) send_ps[members[k]] = words[k];
        }
        return send_ps;
    }

private:
    template <typename Action>
    void for_each_link(Action action) {
        for (const topology::ChipId child : tree_.order)
            if (child != tree_.root) action(tree_.parent[child], child);
    }
    static std::uint32_t index(std::int32_t echo) { return static_cast<std::uint32_t>(echo); }
    std::uint32_t burst_index(std::int64_t round, std::int32_t message) const {
        return static_cast<std::uint32_t>(round * setup_.alignment.correction_messages + message);
    }

    const FabricSetup& setup_;
    const SpanningTree& tree_;
    HostedClocks clocks_;
    FabricWire& wire_;
};

}  // namespace

FabricFigures chip_fabric_figures(const plan::Plan& plan, const topology::Topology& topology, const ChipSpec& spec,
                                  const PlanLockstepConfig& config, const std::vector<bool>& hosted,
                                  FabricWire& wire) {
    invariant(hosted.size() == topology.chip_count(),
              "the hosted chips must be listed for all " + std::to_string(topology.chip_count()) + " chips, got " +
                  std::to_string(hosted.size()));
    const FabricSetup setup(topology, spec, config);
    PlanLockstepConfig checked = config;
    checked.steps = checked_steps(plan, setup, config);
    const PlanTransfers listed = list_plan_transfers(plan, topology, spec, checked, setup);

    ChipFabric fabric(setup, hosted, wire);
    fabric.calibrate();
    fabric.run_rounds();
    const std::vector<std::int64_t> send_ps = fabric.exchange_departures(listed.transfers);
    const auto hosts = [&fabric](topology::ChipId chip) { return fabric.clocks().hosts(chip); };
    FabricFigures figures = receiver_figures(listed.transfers, send_ps, fabric.clocks(), setup.links, hosts);
    figures.steps = checked.steps;
    for (const plan::ChipProgram& program : plan.chips)
        if (hosts(program.chip))
            add_deskew_stalls(figures, listed.deskews, program.chip, fabric.clocks().counter(program.chip).hac,
                              listed.start_cycle);
    return figures;
}

}  // namespace lpu::sim
