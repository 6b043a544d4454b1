#pragma once
// `lpu run`: a model generating text on emulated LPUs, the way the options and
// the process's surroundings ask: over TCP with `lpu worker` processes
// (tcp/tcp_run.hpp), as one rank of an mpirun job (mpi/mpi_run.hpp), on one
// chip, or on every chip of a plan in this process; then the report
// (run_report.hpp), with the fabric figures of the steps a plan ran.
#include <cstdint>
#include <string>

#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "launch/run_report.hpp"
#include "runtime/engine/generator.hpp"

namespace lpu::launch {

struct RunRequest {
    std::string model_path;
    std::string tokenizer_path;      // llama2.c tokenizer.bin beside a checkpoint
    SystemOptions system;
    engine::GenerationOptions generation;
    ReportOptions report;
    bool print_placement = false;    // under mpirun: which rank runs which chips
    std::string workers;             // HOST:PORT,... of `lpu worker` processes, or empty
    std::uint64_t fabric_seed = 1;   // the crystals and link jitter of the fabric figures
    PeerLiveness liveness;           // of the other processes of an MPI or TCP run
};

void run_model(const RunRequest& request);

}  // namespace lpu::launch
