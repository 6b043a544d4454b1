#pragma once
// The opening messages of a TCP run: the job the coordinator sends each
// worker, and the hello a worker sends each worker it connects to. A worker
// checks every field before it acts on one: a malformed or inconsistent
// opening is an lpu::Error naming the field, never a crash, a wrong rank or a
// read out of bounds.
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "runtime/model/model_file.hpp"
#include "schema/wire.capnp.h"
#include "sim/chip/chip_spec.hpp"

namespace lpu::launch::tcp {

// Who runs what: the same for every worker of a job but `rank` and `sharing_cores`.
struct JobPlacement {
    int rank = 0;                        // of the receiving worker, in [1, ranks)
    int ranks = 0;                       // coordinator + workers
    std::vector<std::string> endpoints;  // HOST:PORT by rank; [0], the coordinator's, empty
    std::vector<int> rank_of_chip;       // by chip id: a plan chip's worker rank, -1 for other ids
    int sharing_cores = 1;               // launch/host_threads.hpp's processes_computing_with
};

// Coordinator: fills the job for one worker.
void build_job(schema::Job::Builder job, const std::string& plan_bytes, const std::string& chip_spec_json,
               const JobPlacement& placement);

struct Job {
    plan::Plan plan;
    sim::ChipSpec spec;
    JobPlacement placement;
};

// Worker: the job, checked: the protocol version, the ranks and every chip's
// rank against the plan (each worker runs at least one chip), the endpoints,
// the plan and chip spec, and the plan's fingerprint against `file`.
// Throws lpu::Error naming the first field that is wrong.
Job read_job(schema::Job::Reader job, const model::ModelFile& file);

void build_hello(schema::Hello::Builder hello, const Job& job);
// The rank of a worker that connected to this one, checked: the protocol,
// the run (its plan's hash), and a rank this worker accepts connections
// from (above its own). Throws lpu::Error otherwise.
int read_hello(schema::Hello::Reader hello, const Job& job);

}  // namespace lpu::launch::tcp
