#pragma once
// `lpu run --workers A,B,...`: this process is the coordinator (rank 0) of a
// TCP run over `lpu worker` processes: it compiles (or loads) the plan, sends
// each worker its job, and runs the generation loop while the workers run
// the chips (coordinator.hpp). Then every process runs the fabric for its
// chips (launch/run_fabric.hpp) and the workers send their figures here,
// where they are merged. A worker that fails, dies or falls silent for
// `liveness` ends the run, named.
#include <cstdint>
#include <string>

#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "launch/run_report.hpp"
#include "runtime/engine/generator.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::launch::tcp {

void run_with_workers(const model::ModelFile& file, const model::Tokenizer& tokenizer, const std::string& workers,
                      const SystemOptions& system, const engine::GenerationOptions& generation,
                      const ReportOptions& report, std::uint64_t fabric_seed, const PeerLiveness& liveness);

}  // namespace lpu::launch::tcp
