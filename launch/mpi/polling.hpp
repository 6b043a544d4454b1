#pragma once
// How a rank waits for MPI. Open MPI has no wait that lets go of the core:
// MPI_Wait, MPI_Probe and the blocking collectives poll the shared-memory
// queues in a loop, so a rank waiting for the next pipeline stage would hold
// a core that the ranks computing that stage could use (2 ranks on 2 cores,
// each with its kernel threads). Every wait of this project polls instead,
// and between polls gives the core away, more and more as the wait grows:
// for the first kSpinTime the polls follow each other at once (a message
// between two chips of a step is often microseconds away), until kYieldTime
// the core is offered to others between polls (sched_yield), and after that
// the waiter sleeps kSleepTime between polls. Measured with
// bench/distributed_bench (README, "Running on a cluster").
#include <chrono>

#include <mpi.h>

namespace lpu::launch::mpi {

class Poller {
public:
    static constexpr std::chrono::microseconds kSpinTime{20};
    static constexpr std::chrono::microseconds kYieldTime{200};
    static constexpr std::chrono::microseconds kSleepTime{50};

    // Between one poll and the next.
    void pause();

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration waited_{};  // as of the last look at the clock
    int polls_ = 0;
};

// MPI_Wait for `request`, polling as above. Throws lpu::Error naming `what`
// when MPI reports a failure.
void wait_polling(MPI_Request& request, const char* what);

}  // namespace lpu::launch::mpi
