#pragma once
// `lpu worker`: a process that runs its share of a plan for a coordinator
// (`lpu run --workers ...`). It listens and serves the first connection that
// opens with a valid job: the protocol version, every field of the job, and
// the plan's fingerprint against its own model file (a worker started with
// another model refuses, saying why). Stray, silent, malformed or refused
// connections are dropped with a warning and the worker keeps listening
// (launch/tcp/listener.hpp). Then it connects to the other workers, loads its
// chips, and runs every decode step the coordinator sends until it says the
// run is done. Workers of one host that compute at the same time split its
// cores (launch/host_threads.hpp).
#include <string>

#include "launch/peer_liveness.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::launch::tcp {

struct WorkerOptions {
    std::string listen = "127.0.0.1:0";  // port 0: any free port (see port_file)
    bool allow_remote = false;           // listen on a non-loopback address
    std::string port_file;               // where to write the port it listens on
    PeerLiveness liveness;               // of the coordinator and the other workers (--peer-timeout)
};

// Returns when the run is done; throws lpu::Error when the run fails.
void run_worker(const model::ModelFile& file, const WorkerOptions& options);

}  // namespace lpu::launch::tcp
