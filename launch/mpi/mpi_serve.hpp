#pragma once
// A model served under mpirun: every rank runs its chips of the plan
// (rank_chips.hpp); rank 0 hands `serve` a model whose every step it
// announces to the other ranks (step_broadcast.hpp), and they follow those
// steps until `serve` returns. Any rank that fails prints
// "error: rank R: ..." and ends the whole job, as `lpu run` does.
#include <functional>
#include <string>

#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::launch::mpi {

struct MpiServeOptions {
    SystemOptions system;
    PeerLiveness liveness;
    bool print_placement = false;
};

// Rank 0's `serve` gets the model and its grid ("tp 2 x pp 2, 2 ranks").
// Returns on every rank once rank 0's `serve` has returned; on failure the job is aborted.
void serve_under_mpi(const model::ModelFile& file, const MpiServeOptions& options,
                     const std::function<void(engine::LanguageModel&, const std::string& grid)>& serve);

}  // namespace lpu::launch::mpi
