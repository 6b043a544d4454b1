#include "launch/mpi/polling.hpp"

#include <string>
#include <thread>

#include <sched.h>

#include "base/error.hpp"

namespace lpu::launch::mpi {

void Poller::pause() {
    // The clock is read every few polls only: a poll is well under a microsecond.
    if (++polls_ % 16 == 0) waited_ = std::chrono::steady_clock::now() - start_;
    if (waited_ < kSpinTime) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else if (waited_ < kYieldTime) {
        sched_yield();
    } else {
        std::this_thread::sleep_for(kSleepTime);
    }
}

void wait_polling(MPI_Request& request, const char* what) {
    for (Poller poller;; poller.pause()) {
        int done = 0;
        require(MPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS,
                [&] { return std::string(what) + " failed"; });
        if (done) return;
    }
}

}  // namespace lpu::launch::mpi
