#include "launch/host_threads.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace lpu::launch {

kernels::ThreadPool& process_thread_pool(int processes_on_host) {
    if (const char* set = std::getenv("LPU_THREADS"); set != nullptr && *set != '\0') {
        return kernels::default_thread_pool();  // sized by LPU_THREADS, which it checks
    }
    static kernels::ThreadPool pool([processes_on_host] {
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        return std::max(1, cores / std::max(1, processes_on_host));
    }());
    return pool;
}

}  // namespace lpu::launch
