#include "launch/mpi/mpi_serve.hpp"

#include <cstdio>

#include "launch/mpi/mpi_session.hpp"
#include "launch/mpi/rank_chips.hpp"
#include "launch/mpi/step_broadcast.hpp"

namespace lpu::launch::mpi {

void serve_under_mpi(const model::ModelFile& file, const MpiServeOptions& options,
                     const std::function<void(engine::LanguageModel&, const std::string& grid)>& serve) {
    MpiSession session;
    try {
        RankChips rank(session, file, options.system, options.liveness, options.print_placement, "lpu serve");
        if (session.rank() == 0) {
            StepLeader leader(rank.model(), session.comm());
            serve(leader, rank.grid());
            leader.end();
        } else {
            follow_steps(rank.model(), session.comm());
        }
        rank.final_barrier();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: rank %d: %s\n", session.rank(), e.what());
        std::fflush(stderr);
        session.abort(2);
    }
}

}  // namespace lpu::launch::mpi
