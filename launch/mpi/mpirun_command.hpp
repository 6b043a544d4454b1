#pragma once
// `lpu launch`: the mpirun command line that runs a compiled plan on a
// cluster. Ranks: one per pipeline stage by default (a TP group exchanges the
// most, so it stays inside one rank), capped by the slots the hosts offer.
// Ranks are mapped by slot, so consecutive ranks (consecutive stages) share a
// host while it has slots.
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::launch::mpi {

struct MpirunRequest {
    std::string plan_path;
    std::string model_path;
    std::string hosts;      // "name[:slots],name[:slots],..." (or empty)
    std::string hostfile;   // an Open MPI hostfile (or empty)
    int ranks = 0;          // 0: one per pipeline stage, capped by the slots
    std::string lpu = "lpu";  // the lpu binary on the hosts
    std::vector<std::string> run_arguments;  // for `lpu run`
};

// The command, one word per element, for `plan` (read from request.plan_path).
// Throws lpu::Error on a malformed host list or a rank count the plan cannot use.
std::vector<std::string> mpirun_command(const MpirunRequest& request, const plan::Plan& plan);

// The words as one shell line, each quoted only where the shell needs it.
std::string shell_line(const std::vector<std::string>& words);

}  // namespace lpu::launch::mpi
