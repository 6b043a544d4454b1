#pragma once
// One rank's part of an MPI job, whatever it then does with it (`lpu run`
// generates, `lpu serve` answers requests): the liveness watch over every
// rank, the plan (compiled or loaded alike on every rank), this rank's block
// of its chips (launch/rank_placement.hpp), the transport between ranks, the
// logits broadcast from the head chip's rank, and the PlanModel running this
// rank's chips on this rank's share of the host's cores (host_threads.hpp).
#include <memory>
#include <string>
#include <vector>

#include "launch/mpi/logits_broadcast.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/mpi/mpi_transport.hpp"
#include "launch/mpi/peer_watch.hpp"
#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::mpi {

class RankChips {
public:
    // Collective over the session. `command` names the caller in notes ("lpu run").
    RankChips(const MpiSession& session, const model::ModelFile& file, SystemOptions system,
              const PeerLiveness& liveness, bool print_placement, const char* command);

    engine::PlanModel& model() { return *model_; }
    MpiTransport& transport() { return *transport_; }
    const sim::ChipSpec& spec() const { return prepared_.spec; }
    const topology::Topology& topology() const { return *prepared_.topology; }
    // The rank keeping time for each chip of the topology (run_fabric.hpp).
    const std::vector<int>& fabric_ranks() const { return fabric_ranks_; }
    // "tp 2 x pp 2, 2 ranks".
    const std::string& grid() const { return grid_; }

    // Every rank is past its last wait: after this, none is watched any more.
    // Call it on every rank before the destructor.
    void final_barrier();

private:
    const MpiSession& session_;
    std::vector<int> hosts_;           // by rank: its host's index
    std::vector<std::string> names_;   // by host
    std::unique_ptr<PeerWatch> watch_;  // from here on a rank that stops ends the job
    PreparedPlan prepared_;            // its plan moves into the model
    std::vector<int> fabric_ranks_;
    std::string grid_;
    std::unique_ptr<MpiTransport> transport_;
    std::unique_ptr<MpiLogitsBroadcast> broadcast_;
    std::unique_ptr<engine::PlanModel> model_;
};

}  // namespace lpu::launch::mpi
