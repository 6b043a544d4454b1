#pragma once
// The host threads of one process of a run. Processes of one job on one host
// split its cores: each gets (cores / processes on the host), at least one,
// unless LPU_THREADS sets the count for every process. Without the split, 2
// ranks on 2 cores would start 2 kernel threads each, and the threads of the
// rank that computes would fight over the cores with those of the rank that
// (briefly) computes too.
#include "runtime/kernels/thread_pool.hpp"

namespace lpu::launch {

// The pool for this process (made on the first call; later calls return it).
kernels::ThreadPool& process_thread_pool(int processes_on_host);

}  // namespace lpu::launch
