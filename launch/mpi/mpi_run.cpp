#include "launch/mpi/mpi_run.hpp"

#include <algorithm>
#include <cstdio>

#include "base/json_text.hpp"
#include "launch/host_threads.hpp"
#include "launch/mailbox_limit.hpp"
#include "launch/mpi/logits_broadcast.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/mpi/mpi_transport.hpp"
#include "launch/mpi/peer_watch.hpp"
#include "launch/mpi/polling.hpp"
#include "launch/rank_placement.hpp"
#include "launch/run_fabric.hpp"
#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::mpi {
namespace {

// Every rank's string, at rank 0 (empty elsewhere).
std::vector<std::string> gather_at_root(const launch::mpi::MpiSession& session, const std::string& mine) {
    const int length = static_cast<int>(mine.size());
    std::vector<int> lengths(static_cast<std::size_t>(session.size()));
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, session.comm());
    std::vector<int> offsets(lengths.size(), 0);
    for (std::size_t r = 1; r < lengths.size(); ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
    std::string all(session.rank() == 0 ? static_cast<std::size_t>(offsets.back() + lengths.back()) : 0, '\0');
    MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, session.comm());
    std::vector<std::string> pieces;
    if (session.rank() != 0) return pieces;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
        pieces.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
    }
    return pieces;
}

std::vector<int> all_hosts(const launch::mpi::MpiSession& session) {
    std::vector<int> hosts(static_cast<std::size_t>(session.size()));
    const int mine = session.host();
    MPI_Allgather(&mine, 1, MPI_INT, hosts.data(), 1, MPI_INT, session.comm());
    return hosts;
}

std::vector<std::string> host_names(const launch::mpi::MpiSession& session, const std::vector<int>& hosts) {
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

// Every rank is past its last wait: after this, none is watched any more.
void final_barrier(const launch::mpi::MpiSession& session) {
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Ibarrier(session.comm(), &request);
    launch::mpi::wait_polling(request, "the final barrier");
}

void run_ranks(const launch::mpi::MpiSession& session, const model::ModelFile& file, const model::Tokenizer& tokenizer,
               MpiRunOptions& options) {
    const std::vector<int> hosts = all_hosts(session);
    const std::vector<std::string> names = host_names(session, hosts);
    // From here on a rank that stops ends the job (compiling and loading included).
    const launch::mpi::PeerWatch watch(session.comm(), options.liveness, rank_names(hosts, names));
    if (!wants_plan(options.system)) options.system.compile.chips = session.size();  // one chip per rank
    PreparedPlan prepared = prepare_plan(file, options.system);
    const plan::Plan& plan = prepared.plan;
    const launch::RankOfChip placement = launch::place_chips_on_ranks(plan, hosts);
    if (options.print_placement && session.rank() == 0) {
        std::fprintf(stderr, "%s", launch::describe_placement(plan, placement, hosts, names).c_str());
    }

    const launch::ChipLayout layout = launch::chip_layout(plan, placement);
    engine::LocalChips local{launch::chips_of_rank(placement, session.rank()), nullptr};
    const int head_rank = layout.head_rank;
    // Chips outside the plan keep time for the fabric on rank 0.
    const std::vector<int> fabric_ranks = launch::fabric_rank_of_chip(layout, prepared.topology->chip_count());
    launch::mpi::MpiTransport transport(session.comm(), fabric_ranks,
                                       launch::run_mailbox_limit(plan, fabric_ranks, session.rank()));
    launch::mpi::MpiLogitsBroadcast broadcast(session.comm(), head_rank);
    local.broadcast = &broadcast;
    const std::string grid = grid_name(plan) + ", " + std::to_string(session.size()) + " ranks";
    const int sharing = launch::processes_computing_with(plan, placement, hosts, session.rank());
    const auto ranks_here = std::count(hosts.begin(), hosts.end(), hosts[static_cast<std::size_t>(session.rank())]);
    if (session.rank() == 0 && sharing < ranks_here && launch::bound_to_fewer_cores()) {
        std::fprintf(stderr, "lpu run: this rank is bound to fewer cores than its host has, and the ranks of the "
                             "host take turns (pipeline stages): `mpirun --bind-to none` lets each use every core "
                             "for its turn\n");
    }
    engine::PlanModel model(std::move(prepared.plan), file, prepared.spec, transport, local,
                            launch::process_thread_pool(sharing));

    const bool root = session.rank() == 0;
    const auto results = engine::generate_batch(model, tokenizer, options.generation,
                                                root ? text_stream(options.report, model.batch_size()) : nullptr);
    const int positions = results.front().stats.positions;
    // Every chip's SRAM and cycle report and every rank's fabric figures, gathered at rank 0 in rank order.
    std::vector<ChipReport> mine;
    for (const auto& runner : model.chips()) mine.push_back(chip_report(runner->chip()));
    std::optional<sim::FabricFigures> figures;
    if (positions > 0) {
        figures = launch::hosted_fabric_figures(model.plan(), *prepared.topology, prepared.spec,
                                                launch::run_fabric_config(options.fabric_seed, positions), fabric_ranks,
                                                session.rank(), transport);
    }
    const std::vector<std::string> reports = gather_at_root(session, json_text(process_report(mine, figures)));
    final_barrier(session);
    if (!root) return;
    RunChips chips{{}, grid, {}};
    for (const auto& text : reports) add_process_report(chips, nlohmann::json::parse(text));
    print_report(results, chips, options.report);
}

}  // namespace

void run_under_mpi(const model::ModelFile& file, const model::Tokenizer& tokenizer, MpiRunOptions options) {
    launch::mpi::MpiSession session;
    try {
        run_ranks(session, file, tokenizer, options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: rank %d: %s\n", session.rank(), e.what());
        std::fflush(stderr);
        session.abort(2);
    }
}

}  // namespace lpu::launch::mpi
