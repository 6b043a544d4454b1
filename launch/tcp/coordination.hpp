#pragma once
// The coordinator's side of a TCP run, whatever it then does (`lpu run
// --workers` generates, `lpu serve --workers` answers requests): the plan
// (compiled or loaded), the cluster of workers running its chips
// (coordinator.hpp), the transport between them, the logits from the head
// chip's worker, and the coordinated model whose every step starts on the
// workers.
#include <memory>
#include <string>
#include <vector>

#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "launch/tcp/coordinator.hpp"
#include "launch/tcp/run_protocol.hpp"
#include "launch/tcp/tcp_transport.hpp"
#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::tcp {

class Coordination {
public:
    // `workers`: HOST:PORT,... of `lpu worker` processes.
    Coordination(const model::ModelFile& file, const std::string& workers, const SystemOptions& system,
                 const PeerLiveness& liveness);

    CoordinatedModel& model() { return *coordinated_; }
    const engine::PlanModel& plan_model() const { return *model_; }
    TcpCluster& cluster() { return *cluster_; }
    TcpTransport& transport() { return *transport_; }
    const sim::ChipSpec& spec() const { return prepared_.spec; }
    const topology::Topology& topology() const { return *prepared_.topology; }
    // The rank keeping time for each chip of the topology (run_fabric.hpp).
    const std::vector<int>& fabric_ranks() const { return fabric_ranks_; }
    // "tp 2 x pp 2, coordinator + 2 TCP workers".
    const std::string& grid() const { return grid_; }

private:
    PreparedPlan prepared_;  // its plan moves into the model
    std::unique_ptr<TcpCluster> cluster_;
    std::vector<int> fabric_ranks_;
    std::string grid_;
    std::unique_ptr<TcpTransport> transport_;
    std::unique_ptr<LogitsToCoordinator> broadcast_;
    std::unique_ptr<engine::PlanModel> model_;
    std::unique_ptr<CoordinatedModel> coordinated_;
};

}  // namespace lpu::launch::tcp
