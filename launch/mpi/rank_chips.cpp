#include "launch/mpi/rank_chips.hpp"

#include <algorithm>
#include <cstdio>

#include "launch/host_threads.hpp"
#include "launch/mailbox_limit.hpp"
#include "launch/mpi/polling.hpp"
#include "launch/rank_placement.hpp"
#include "launch/run_report.hpp"

namespace lpu::launch::mpi {
namespace {

std::vector<int> all_hosts(const MpiSession& session) {
    std::vector<int> hosts(static_cast<std::size_t>(session.size()));
    const int mine = session.host();
    MPI_Allgather(&mine, 1, MPI_INT, hosts.data(), 1, MPI_INT, session.comm());
    return hosts;
}

std::vector<std::string> host_names(const MpiSession& session, const std::vector<int>& hosts) {
    std::vector<char> names(static_cast<std::size_t>(session.size()) * MPI_MAX_PROCESSOR_NAME, '\0');
    std::string mine = session.host_name().substr(0, MPI_MAX_PROCESSOR_NAME - 1);
    mine.resize(MPI_MAX_PROCESSOR_NAME, '\0');
    MPI_Allgather(mine.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                  session.comm());
    std::vector<std::string> by_host(static_cast<std::size_t>(session.host_count()));
    for (std::size_t r = 0; r < hosts.size(); ++r) {
        by_host[static_cast<std::size_t>(hosts[r])] = names.data() + r * MPI_MAX_PROCESSOR_NAME;
    }
    return by_host;
}

// "rank 2 (host 'node-a')" for every rank, as the liveness watch names them.
std::vector<std::string> rank_names(const std::vector<int>& hosts, const std::vector<std::string>& names) {
    std::vector<std::string> named;
    for (std::size_t r = 0; r < hosts.size(); ++r) {
        named.push_back("rank " + std::to_string(r) + " (host '" + names[static_cast<std::size_t>(hosts[r])] + "')");
    }
    return named;
}

}  // namespace

RankChips::RankChips(const MpiSession& session, const model::ModelFile& file, SystemOptions system,
                     const PeerLiveness& liveness, bool print_placement, const char* command)
    : session_(session), hosts_(all_hosts(session)), names_(host_names(session, hosts_)) {
    watch_ = std::make_unique<PeerWatch>(session.comm(), liveness, rank_names(hosts_, names_));
    if (!wants_plan(system)) system.compile.chips = session.size();  // one chip per rank
    prepared_ = prepare_plan(file, system);
    const plan::Plan& plan = prepared_.plan;
    const RankOfChip placement = place_chips_on_ranks(plan, hosts_);
    if (print_placement && session.rank() == 0) {
        std::fprintf(stderr, "%s", describe_placement(plan, placement, hosts_, names_).c_str());
    }
    const ChipLayout layout = chip_layout(plan, placement);
    engine::LocalChips local{chips_of_rank(placement, session.rank()), nullptr};
    // Chips outside the plan keep time for the fabric on rank 0.
    fabric_ranks_ = fabric_rank_of_chip(layout, prepared_.topology->chip_count());
    transport_ = std::make_unique<MpiTransport>(session.comm(), fabric_ranks_,
                                                run_mailbox_limit(plan, fabric_ranks_, session.rank()));
    broadcast_ = std::make_unique<MpiLogitsBroadcast>(session.comm(), layout.head_rank);
    local.broadcast = broadcast_.get();
    grid_ = grid_name(plan) + ", " + std::to_string(session.size()) + " ranks";
    const int sharing = processes_computing_with(plan, placement, hosts_, session.rank());
    const auto ranks_here = std::count(hosts_.begin(), hosts_.end(), hosts_[static_cast<std::size_t>(session.rank())]);
    if (session.rank() == 0 && sharing < ranks_here && bound_to_fewer_cores()) {
        std::fprintf(stderr, "%s: this rank is bound to fewer cores than its host has, and the ranks of the "
                             "host take turns (pipeline stages): `mpirun --bind-to none` lets each use every core "
                             "for its turn\n", command);
    }
    model_ = std::make_unique<engine::PlanModel>(std::move(prepared_.plan), file, prepared_.spec, *transport_, local,
                                                 process_thread_pool(sharing));
}

void RankChips::final_barrier() {
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Ibarrier(session_.comm(), &request);
    wait_polling(request, "the final barrier");
}

}  // namespace lpu::launch::mpi
