#pragma once
// `lpu run` under mpirun (or srun): every rank compiles (or loads) the same
// plan, runs its own block of chips (launch/rank_placement.hpp), and
// exchanges over MPI; rank 0 prints. After the run each rank runs the
// alignment protocol for the chips it hosts, its messages over MPI, and
// measures their fabric figures (launch/run_fabric.hpp); rank 0 merges
// them into the report. Any rank that fails prints
// "error: rank R: ..." and ends the whole job, and a rank that falls silent
// (stopped, hung) is named by its neighbours, which end the job
// (peer_watch.hpp): no rank waits forever. Ranks on one host that compute at
// the same time split its cores (host_threads.hpp).
#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "launch/run_report.hpp"
#include "runtime/engine/generator.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::launch::mpi {

struct MpiRunOptions {
    SystemOptions system;
    engine::GenerationOptions generation;
    ReportOptions report;
    bool print_placement = false;
    std::uint64_t fabric_seed = 1;
    PeerLiveness liveness;
};

// Returns normally on success on every rank; on failure the job is aborted.
void run_under_mpi(const model::ModelFile& file, const model::Tokenizer& tokenizer, MpiRunOptions options);

}  // namespace lpu::launch::mpi
