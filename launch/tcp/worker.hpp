#pragma once
// `lpu worker`: a process that runs its share of a plan for a coordinator
// (`lpu run --workers ...`). It listens, takes one job, checks it (protocol
// version; the plan's fingerprint against its own model file, so a worker
// started with another model refuses), connects to the other workers, loads
// its chips, and runs every decode step the coordinator sends until it says
// the run is done.
#include <string>

#include "runtime/model/model_file.hpp"

namespace lpu::launch::tcp {

struct WorkerOptions {
    std::string listen = "127.0.0.1:0";  // port 0: any free port (see port_file)
    bool allow_remote = false;           // listen on a non-loopback address
    std::string port_file;               // where to write the port it listens on
};

// Returns when the run is done; throws lpu::Error on a refused job or a failed run.
void run_worker(const model::ModelFile& file, const WorkerOptions& options);

}  // namespace lpu::launch::tcp
