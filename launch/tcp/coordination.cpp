#include "launch/tcp/coordination.hpp"

#include <sstream>

#include "launch/mailbox_limit.hpp"
#include "launch/run_report.hpp"

namespace lpu::launch::tcp {
namespace {

std::vector<std::string> endpoint_list(const std::string& workers) {
    std::vector<std::string> endpoints;
    std::stringstream list(workers);
    for (std::string endpoint; std::getline(list, endpoint, ',');) endpoints.push_back(endpoint);
    return endpoints;
}

}  // namespace

Coordination::Coordination(const model::ModelFile& file, const std::string& workers, const SystemOptions& system,
                           const PeerLiveness& liveness)
    : prepared_(prepare_plan(file, system)),
      cluster_(std::make_unique<TcpCluster>(endpoint_list(workers), prepared_.plan, prepared_.spec, liveness)) {
    try {
        // Chips outside the plan keep time for the fabric here, on rank 0.
        fabric_ranks_ = fabric_rank_of_chip(cluster_->layout(), prepared_.topology->chip_count());
        transport_ = std::make_unique<TcpTransport>(cluster_->mesh(), fabric_ranks_,
                                                    run_mailbox_limit(prepared_.plan, fabric_ranks_, 0));
        broadcast_ = std::make_unique<LogitsToCoordinator>(cluster_->mesh(), cluster_->inbox(), cluster_->layout().head_rank);
        grid_ = grid_name(prepared_.plan) + ", coordinator + " + std::to_string(cluster_->workers()) + " TCP workers";
        model_ = std::make_unique<engine::PlanModel>(std::move(prepared_.plan), file, prepared_.spec, *transport_,
                                                     engine::LocalChips{cluster_->local_chips(), broadcast_.get()});
        coordinated_ = std::make_unique<CoordinatedModel>(*model_, *cluster_);
    } catch (const std::exception& e) {
        cluster_->mesh().abort_all(e.what());
        throw;
    }
}

}  // namespace lpu::launch::tcp
