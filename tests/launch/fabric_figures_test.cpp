// The fabric figures of a run (launch/run_fabric.hpp) do not depend on how its
// chips are spread over processes: each "process" here is a thread that runs
// the alignment protocol for the chips it hosts (sim/fabric/chip_fabric.hpp), its
// messages through a shared blocking wire, and the merged figures equal those
// of the whole fabric simulated at once, number for number. The same through
// the real adapter over an in-process transport, and against `lpu plan check`.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "launch/inprocess/in_process_transport.hpp"
#include "launch/rank_placement.hpp"
#include "launch/run_fabric.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "sim/fabric/chip_fabric.hpp"
#include "sim/fabric/plan_lockstep.hpp"
#include "tests/plan/sample_plan.hpp"
#include "tests/support/model_shapes.hpp"
#include "topology/topology_spec.hpp"

namespace lpu {
namespace {

constexpr int positions = 48;

struct Compiled {
    sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    topology::Topology topology;
    plan::Plan plan;

    Compiled(plan::Plan given, const std::string& system)
        : topology(topology::topology_from_spec(system)), plan(std::move(given)) {}
    Compiled(const std::string& system, int tp, int pp) : topology(topology::topology_from_spec(system)) {
        const model::ModelConfig config = test::stories260k_config();
        compiler::CompileOptions options;
        options.tp = tp;
        options.pp = pp;
        options.positions = 256;
        plan = compiler::compile_plan(config, compiler::shape_fingerprint(config), {&topology, system, &spec}, options);
    }
};

// A wire between threads: a receive blocks until its message has been sent.
class BlockingWire final : public sim::FabricWire {
public:
    void send(topology::ChipId from, topology::ChipId to, sim::FabricMessage kind, std::uint32_t index,
              std::span<const std::int64_t> words) override {
        {
            std::lock_guard lock(mutex_);
            messages_[{from, to, kind, index}].assign(words.begin(), words.end());
        }
        arrived_.notify_all();
    }
    void receive(topology::ChipId to, topology::ChipId from, sim::FabricMessage kind, std::uint32_t index,
                 std::span<std::int64_t> words) override {
        std::unique_lock lock(mutex_);
        const Key key{from, to, kind, index};
        arrived_.wait(lock, [&] { return messages_.count(key) > 0; });
        const std::vector<std::int64_t>& message = messages_.at(key);
        require(message.size() == words.size(), "a fabric message of another size");
        std::copy(message.begin(), message.end(), words.begin());
        messages_.erase(key);
    }

private:
    using Key = std::tuple<topology::ChipId, topology::ChipId, sim::FabricMessage, std::uint32_t>;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::map<Key, std::vector<std::int64_t>> messages_;
};

// The plan's chips placed on `ranks` processes as `lpu run` places them, each a thread.
sim::FabricFigures figures_over_processes(const Compiled& compiled, const sim::PlanLockstepConfig& config, int ranks) {
    const launch::RankOfChip placement = launch::place_chips_on_ranks(compiled.plan, std::vector<int>(ranks, 0));
    const std::vector<int> fabric_ranks =
        launch::fabric_rank_of_chip(launch::chip_layout(compiled.plan, placement), compiled.topology.chip_count());
    BlockingWire wire;
    std::vector<sim::FabricFigures> figures(static_cast<std::size_t>(ranks));
    std::vector<std::thread> processes;
    for (int rank = 0; rank < ranks; ++rank) {
        processes.emplace_back([&, rank] {
            std::vector<bool> hosted(compiled.topology.chip_count());
            for (std::size_t chip = 0; chip < hosted.size(); ++chip) hosted[chip] = fabric_ranks[chip] == rank;
            figures[static_cast<std::size_t>(rank)] = sim::chip_fabric_figures(
                compiled.plan, compiled.topology, compiled.spec, config, hosted, wire);
        });
    }
    for (std::thread& process : processes) process.join();
    sim::FabricFigures merged = figures.front();
    for (std::size_t rank = 1; rank < figures.size(); ++rank) merged = sim::merge(merged, figures[rank]);
    return merged;
}

TEST_CASE("fabric figures: chips spread over 1 to 8 processes give the whole fabric's", "[launch][fabric]") {
    const auto [system, tp, pp] = GENERATE(std::make_tuple("fc:8", 4, 2), std::make_tuple("dragonfly:1", 2, 4));
    CAPTURE(system, tp, pp);
    const Compiled compiled(system, tp, pp);
    const sim::PlanLockstepConfig config = launch::run_fabric_config(3, positions);
    const sim::FabricFigures whole = sim::plan_fabric_figures(compiled.plan, compiled.topology, compiled.spec, config);
    CHECK(whole.steps == positions);
    CHECK(whole.transfers > 0);
    CHECK(whole.deskew_points > 0);
    CHECK(whole.violations() == 0);
    REQUIRE(whole.worst_margin_cycles.has_value());
    CHECK(*whole.worst_margin_cycles > 0);
    for (const int ranks : {1, 2, 4, 8}) {
        CAPTURE(ranks);
        CHECK(figures_over_processes(compiled, config, ranks) == whole);
    }
}

TEST_CASE("fabric figures: late transfers are found where their receivers run", "[launch][fabric]") {
    // The sample plan gives its transfers less than a link's latency.
    const Compiled sample(plan::testing::sample_plan(), "fc:2");
    const sim::PlanLockstepConfig config = launch::run_fabric_config(1, 8);
    const sim::FabricFigures whole = sim::plan_fabric_figures(sample.plan, sample.topology, sample.spec, config);
    CHECK(whole.transfers > 0);
    CHECK(whole.late_transfers == whole.transfers);
    CHECK(whole.worst_margin_cycles < 0);
    CHECK(figures_over_processes(sample, config, 2) == whole);
}

TEST_CASE("fabric figures: through a transport in one process, as the whole fabric", "[launch][fabric]") {
    const Compiled compiled("fc:8", 4, 2);
    const sim::PlanLockstepConfig config = launch::run_fabric_config(1, positions);
    launch::inprocess::InProcessTransport transport;
    const std::vector<int> one_process(compiled.topology.chip_count(), 0);
    const sim::FabricFigures hosted = launch::hosted_fabric_figures(compiled.plan, compiled.topology, compiled.spec,
                                                                    config, one_process, 0, transport);
    CHECK(hosted == sim::plan_fabric_figures(compiled.plan, compiled.topology, compiled.spec, config));
    CHECK(transport.pending() == 0);  // every protocol message was taken
}

TEST_CASE("fabric figures: the transfers, margin and violations of lpu plan check", "[launch][fabric]") {
    const Compiled compiled("fc:8", 4, 2);
    const sim::PlanLockstepConfig config = launch::run_fabric_config(2, positions);
    const sim::FabricFigures figures = sim::plan_fabric_figures(compiled.plan, compiled.topology, compiled.spec, config);
    const sim::PlanLockstepResult checked =
        sim::check_plan_lockstep(compiled.plan, compiled.topology, compiled.spec, config);
    CHECK(figures.transfers == checked.report.transfers);
    CHECK(figures.violations() == checked.report.violations.size());
    CHECK(figures.worst_margin_cycles == checked.worst_margin_cycles);
    // Aligned counters stay within the skew bounds the compiler schedules with.
    std::int64_t widest_slack = 0;
    for (const std::int64_t slack : checked.slack_cycles) widest_slack = std::max(widest_slack, slack);
    CHECK(figures.max_skew_cycles <= widest_slack);
}

TEST_CASE("fabric figures: merge and JSON", "[launch][fabric]") {
    sim::FabricFigures a;
    a.steps = 4;
    a.transfers = 10;
    a.max_skew_cycles = 3;
    a.deskew_stall_cycles = 7;
    a.deskew_points = 5;
    a.late_transfers = 1;
    a.worst_margin_cycles = 40;
    sim::FabricFigures b;
    b.steps = 4;
    b.transfers = 6;
    b.max_skew_cycles = 5;
    b.overwritten_transfers = 2;
    b.worst_margin_cycles = -2;
    const sim::FabricFigures merged = sim::merge(a, b);
    CHECK(merged.transfers == 16);
    CHECK(merged.max_skew_cycles == 5);
    CHECK(merged.deskew_stall_cycles == 7);
    CHECK(merged.violations() == 3);
    CHECK(merged.worst_margin_cycles == -2);
    CHECK(sim::merge(sim::FabricFigures{}, a) == a);
    CHECK(launch::fabric_from_json(launch::fabric_json(merged)) == merged);
    CHECK(launch::fabric_from_json(launch::fabric_json(sim::FabricFigures{})) == sim::FabricFigures{});
    CHECK_THROWS_WITH(launch::fabric_from_json(nlohmann::json{{"steps", 1}}), Catch::Contains("transfers"));
}

}  // namespace
}  // namespace lpu
