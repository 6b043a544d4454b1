#pragma once
// The host threads of one process of a run. Processes of one job that compute
// at the same time on one host split its cores: each gets (cores / such
// processes), at least one, unless LPU_THREADS sets the count for every
// process. Without the split, 2 ranks on 2 cores computing at once would start
// 2 kernel threads each and fight over the cores.
//
// Which processes compute at the same time: those that hold chips of one
// pipeline stage (a TP group split over them), and all of them when the plan
// runs micro-batches (several stages busy at once). Processes that hold
// different stages of a batch-1 pipeline take turns: while one computes, the
// others wait for it without holding a core (MPI waits poll and then sleep,
// launch/mpi/polling.hpp; TCP waits sleep), so each of them gets every core
// for its turn instead of half of them for all of it.
#include <vector>

#include "launch/rank_placement.hpp"
#include "plan/plan.hpp"
#include "runtime/kernels/thread_pool.hpp"

namespace lpu::launch {

// How many processes on `rank`'s host (itself included) compute at the same
// time as it. `rank_hosts[r]` is the host of rank r.
int processes_computing_with(const plan::Plan& plan, const RankOfChip& placement, const std::vector<int>& rank_hosts,
                             int rank);

// Kernel threads for a process that may run on `usable_cores` of its host's
// `host_cores` and computes at the same time as `sharing - 1` others there.
// A process allowed on every core splits them with the others. A process
// bound to fewer (Open MPI binds each rank to one core when it starts 2 or
// fewer, taskset, a batch system) was given its share already: it uses what
// it was given. Such binding keeps ranks that take turns (the stages of a
// batch-1 pipeline) off each other's idle cores: `mpirun --bind-to none`
// lets each use every core for its turn.
int kernel_threads(int host_cores, int usable_cores, int sharing);

// The pool for this process (made on the first call; later calls return it),
// with kernel_threads for this host and this process's CPU affinity.
kernels::ThreadPool& process_thread_pool(int sharing);

// True when this process may run on fewer cores than its host has.
bool bound_to_fewer_cores();

}  // namespace lpu::launch
