#include "launch/tcp/tcp_run.hpp"

#include <sstream>

#include "launch/run_fabric.hpp"
#include "launch/tcp/coordinator.hpp"
#include "launch/tcp/tcp_transport.hpp"
#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::tcp {

void run_with_workers(const model::ModelFile& file, const model::Tokenizer& tokenizer, const std::string& workers,
                      const SystemOptions& system, const engine::GenerationOptions& generation,
                      const ReportOptions& report, std::uint64_t fabric_seed) {
    std::vector<std::string> endpoints;
    std::stringstream list(workers);
    for (std::string endpoint; std::getline(list, endpoint, ',');) endpoints.push_back(endpoint);
    PreparedPlan prepared = prepare_plan(file, system);
    launch::tcp::TcpCluster cluster(endpoints, prepared.plan, prepared.spec);
    try {
        // Chips outside the plan keep time for the fabric here, on rank 0.
        const std::vector<int> fabric_ranks =
            launch::fabric_rank_of_chip(cluster.layout(), prepared.topology->chip_count());
        launch::tcp::TcpTransport transport(cluster.mesh(), fabric_ranks);
        launch::tcp::LogitsToCoordinator broadcast(cluster.mesh(), cluster.layout().head_rank);
        const auto& plan = prepared.plan;
        const std::string grid =
            grid_name(plan) + ", coordinator + " + std::to_string(cluster.workers()) + " TCP workers";
        engine::PlanModel model(std::move(prepared.plan), file, prepared.spec, transport,
                                {cluster.local_chips(), &broadcast});
        launch::tcp::CoordinatedModel coordinated(model, cluster);
        const auto results =
            engine::generate_batch(coordinated, tokenizer, generation, text_stream(report, model.batch_size()));
        RunChips chips{{}, grid, {}};  // this process's chips; the workers report their own
        for (const auto& runner : model.chips()) chips.chips.push_back(chip_report(runner->chip()));
        if (const int positions = results.front().stats.positions; positions > 0) {
            cluster.start_fabric({fabric_seed, positions});
            chips.fabric = launch::hosted_fabric_figures(model.plan(), *prepared.topology, prepared.spec,
                                                         launch::run_fabric_config(fabric_seed, positions),
                                                         fabric_ranks, 0, transport);
            for (int worker = 0; worker < cluster.workers(); ++worker) {
                const auto text = cluster.mesh().next_fabric_figures();
                const auto figures = launch::fabric_from_json(nlohmann::json::parse(text, nullptr, false));
                chips.fabric = sim::merge(*chips.fabric, figures);
            }
        }
        print_report(results, chips, report);
    } catch (const std::exception& e) {
        cluster.mesh().abort_all(e.what());
        throw;
    }
}

}  // namespace lpu::launch::tcp
