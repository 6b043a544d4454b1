#include "launch/tcp/tcp_run.hpp"

#include <sstream>

#include "base/error.hpp"

#include "launch/mailbox_limit.hpp"
#include "launch/run_fabric.hpp"
#include "launch/tcp/coordinator.hpp"
#include "launch/tcp/tcp_transport.hpp"
#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::tcp {

void run_with_workers(const model::ModelFile& file, const model::Tokenizer& tokenizer, const std::string& workers,
                      const SystemOptions& system, const engine::GenerationOptions& generation,
                      const ReportOptions& report, std::uint64_t fabric_seed, const PeerLiveness& liveness) {
    std::vector<std::string> endpoints;
    std::stringstream list(workers);
    for (std::string endpoint; std::getline(list, endpoint, ',');) endpoints.push_back(endpoint);
    PreparedPlan prepared = prepare_plan(file, system);
    TcpCluster cluster(endpoints, prepared.plan, prepared.spec, liveness);
    try {
        // Chips outside the plan keep time for the fabric here, on rank 0.
        const std::vector<int> fabric_ranks = fabric_rank_of_chip(cluster.layout(), prepared.topology->chip_count());
        TcpTransport transport(cluster.mesh(), fabric_ranks, run_mailbox_limit(prepared.plan, fabric_ranks, 0));
        LogitsToCoordinator broadcast(cluster.mesh(), cluster.inbox(), cluster.layout().head_rank);
        const std::string grid =
            grid_name(prepared.plan) + ", coordinator + " + std::to_string(cluster.workers()) + " TCP workers";
        engine::PlanModel model(std::move(prepared.plan), file, prepared.spec, transport,
                                {cluster.local_chips(), &broadcast});
        CoordinatedModel coordinated(model, cluster);
        const auto results =
            engine::generate_batch(coordinated, tokenizer, generation, text_stream(report, model.batch_size()));
        // The workers' chips in rank order, and every process's share of the fabric.
        RunChips chips{{}, grid, {}};
        const int positions = results.front().stats.positions;
        send_finish(cluster.mesh(), {fabric_seed, positions});
        if (positions > 0) {
            chips.fabric = hosted_fabric_figures(model.plan(), *prepared.topology, prepared.spec,
                                                 run_fabric_config(fabric_seed, positions), fabric_ranks, 0, transport);
        }
        const std::vector<std::string> reports = cluster.inbox().reports(cluster.mesh(), cluster.workers());
        for (int rank = 1; rank <= cluster.workers(); ++rank) {
            const nlohmann::json parsed = nlohmann::json::parse(reports[static_cast<std::size_t>(rank)], nullptr, false);
            require(!parsed.is_discarded(), [&] { return cluster.mesh().name_of(rank) + " sent a report that is not JSON"; });
            add_process_report(chips, parsed);
        }
        print_report(results, chips, report);
    } catch (const std::exception& e) {
        cluster.mesh().abort_all(e.what());
        throw;
    }
}

}  // namespace lpu::launch::tcp
