#include "launch/host_threads.hpp"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

namespace lpu::launch {

int processes_computing_with(const plan::Plan& plan, const RankOfChip& placement, const std::vector<int>& rank_hosts,
                             int rank) {
    const int ranks = static_cast<int>(rank_hosts.size());
    std::vector<std::set<std::uint32_t>> stages(static_cast<std::size_t>(ranks));
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        stages.at(static_cast<std::size_t>(placement.rank[c])).insert(plan.chips[c].role.pp_stage);
    }
    const auto& mine = stages.at(static_cast<std::size_t>(rank));
    int sharing = 0;
    for (int other = 0; other < ranks; ++other) {
        if (rank_hosts[static_cast<std::size_t>(other)] != rank_hosts[static_cast<std::size_t>(rank)]) continue;
        const auto& theirs = stages[static_cast<std::size_t>(other)];
        const bool at_once = plan.grid.micro_batches > 1 ||
                             std::any_of(mine.begin(), mine.end(), [&](std::uint32_t s) { return theirs.count(s) > 0; });
        if (at_once) ++sharing;
    }
    return std::max(sharing, 1);
}

namespace {

int host_cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// The cores this process may run on (its CPU affinity), or every core of the
// host when the affinity cannot be read.
int usable_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return host_cores();
    return std::max(1, CPU_COUNT(&set));
}

}  // namespace

int kernel_threads(int host_cores, int usable_cores, int sharing) {
    if (usable_cores < host_cores) return std::max(1, usable_cores);
    return std::max(1, host_cores / std::max(1, sharing));
}

kernels::ThreadPool& process_thread_pool(int sharing) {
    if (const char* set = std::getenv("LPU_THREADS"); set != nullptr && *set != '\0') {
        return kernels::default_thread_pool();  // sized by LPU_THREADS, which it checks
    }
    static kernels::ThreadPool pool(kernel_threads(host_cores(), usable_cores(), sharing));
    return pool;
}

bool bound_to_fewer_cores() { return usable_cores() < host_cores(); }

}  // namespace lpu::launch
