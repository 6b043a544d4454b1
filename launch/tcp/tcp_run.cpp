#include "launch/tcp/tcp_run.hpp"

#include "base/error.hpp"
#include "launch/run_fabric.hpp"
#include "launch/tcp/coordination.hpp"

namespace lpu::launch::tcp {

void run_with_workers(const model::ModelFile& file, const model::Tokenizer& tokenizer, const std::string& workers,
                      const SystemOptions& system, const engine::GenerationOptions& generation,
                      const ReportOptions& report, std::uint64_t fabric_seed, const PeerLiveness& liveness) {
    Coordination run(file, workers, system, liveness);
    TcpCluster& cluster = run.cluster();
    try {
        const auto results = engine::generate_batch(run.model(), tokenizer, generation,
                                                    text_stream(report, run.model().batch_size()));
        // The workers' chips in rank order, and every process's share of the fabric.
        RunChips chips{{}, run.grid(), {}};
        const int positions = results.front().stats.positions;
        send_finish(cluster.mesh(), {fabric_seed, positions});
        if (positions > 0) {
            chips.fabric = hosted_fabric_figures(run.plan_model().plan(), run.topology(), run.spec(),
                                                 run_fabric_config(fabric_seed, positions), run.fabric_ranks(), 0,
                                                 run.transport());
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
