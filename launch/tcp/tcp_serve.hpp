#pragma once
// A model served over `lpu worker` processes: this process is the
// coordinator (rank 0) as for `lpu run --workers` (coordinator.hpp); `serve`
// gets the coordinated model, whose every step the workers run with it. When
// `serve` returns, the workers are told the run is over. A worker that fails,
// dies or falls silent for `liveness` ends the run, named.
#include <functional>
#include <string>

#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::launch::tcp {

// `serve` gets the model and its grid ("tp 2 x pp 2, coordinator + 2 TCP workers").
void serve_with_workers(const model::ModelFile& file, const std::string& workers, const SystemOptions& system,
                        const PeerLiveness& liveness,
                        const std::function<void(engine::LanguageModel&, const std::string& grid)>& serve);

}  // namespace lpu::launch::tcp
