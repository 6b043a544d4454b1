#pragma once
// The liveness rule (launch/peer_liveness.hpp) for an MPI job. A thread of
// its own, on a communicator of its own (MPI_THREAD_MULTIPLE), sends an empty
// heartbeat message to this rank's watchers every kHeartbeatInterval and
// listens for the heartbeats of the ranks it watches. When one has been
// silent for the timeout, it prints
//   error: rank 1: rank 2 (host 'node-a') has sent nothing for 10 s (stopped or hung?); ending the job
// and calls MPI_Abort, which makes the launcher end every rank: the job
// exits non-zero within the timeout plus a heartbeat, whatever the compute
// thread was waiting in (a receive, the logits broadcast, the final gather).
//
// Who watches whom: the ranks form a ring and each watches its two
// neighbours, so a stopped rank is noticed by two others and the traffic
// stays two messages per rank and interval at any job size.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <mpi.h>

#include "launch/peer_liveness.hpp"

namespace lpu::launch::mpi {

class PeerWatch {
public:
    // Collective over `comm`. `rank_names[r]` names rank r in the message
    // ("rank 2 (host 'node-a')").
    PeerWatch(MPI_Comm comm, const PeerLiveness& liveness, std::vector<std::string> rank_names);
    // Stops watching and beating. Call it only when every rank is past its
    // last wait (after a barrier), or its neighbours would see it fall silent.
    ~PeerWatch();
    PeerWatch(const PeerWatch&) = delete;
    PeerWatch& operator=(const PeerWatch&) = delete;

    // The ranks this one watches (and beats for).
    const std::vector<int>& neighbours() const { return neighbours_; }

private:
    void run();

    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0;
    PeerLiveness liveness_;
    std::vector<std::string> rank_names_;
    std::vector<int> neighbours_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace lpu::launch::mpi
