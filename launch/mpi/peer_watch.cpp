#include "launch/mpi/peer_watch.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace lpu::launch::mpi {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kHeartbeatTag = 1;
// How often the thread looks for heartbeats and silences: a small part of the
// heartbeat interval, so a silence is noticed within the timeout plus a beat.
constexpr std::chrono::milliseconds kPollInterval{25};

}  // namespace

PeerWatch::PeerWatch(MPI_Comm comm, const PeerLiveness& liveness, std::vector<std::string> rank_names)
    : liveness_(liveness), rank_names_(std::move(rank_names)) {
    MPI_Comm_dup(comm, &comm_);
    int size = 1;
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size);
    if (size > 1) {
        neighbours_ = {(rank_ + size - 1) % size, (rank_ + 1) % size};
        std::sort(neighbours_.begin(), neighbours_.end());
        neighbours_.erase(std::unique(neighbours_.begin(), neighbours_.end()), neighbours_.end());
    }
    thread_ = std::thread([this] { run(); });
}

PeerWatch::~PeerWatch() {
    stopping_ = true;
    thread_.join();
    MPI_Comm_free(&comm_);
}

void PeerWatch::run() {
    // One receive is always posted, for a heartbeat from anyone (they are empty).
    char heartbeat = 0;
    MPI_Request receive = MPI_REQUEST_NULL;
    MPI_Irecv(&heartbeat, 1, MPI_BYTE, MPI_ANY_SOURCE, kHeartbeatTag, comm_, &receive);
    std::vector<Clock::time_point> heard(rank_names_.size(), Clock::now());
    Clock::time_point next_beat = Clock::now();
    while (!stopping_) {
        // Every heartbeat that has arrived first, so a watcher that was itself
        // kept off the CPU does not take its own delay for a peer's silence.
        for (int arrived = 1; arrived;) {
            MPI_Status status;
            MPI_Test(&receive, &arrived, &status);
            if (!arrived) break;
            heard.at(static_cast<std::size_t>(status.MPI_SOURCE)) = Clock::now();
            MPI_Irecv(&heartbeat, 1, MPI_BYTE, MPI_ANY_SOURCE, kHeartbeatTag, comm_, &receive);
        }
        const Clock::time_point now = Clock::now();
        if (now >= next_beat) {
            for (int neighbour : neighbours_) {
                MPI_Request send = MPI_REQUEST_NULL;
                MPI_Isend(nullptr, 0, MPI_BYTE, neighbour, kHeartbeatTag, comm_, &send);
                MPI_Request_free(&send);  // an empty message: nothing to keep alive
            }
            next_beat = now + kHeartbeatInterval;
        }
        for (int neighbour : neighbours_) {
            if (now - heard[static_cast<std::size_t>(neighbour)] <= liveness_.timeout()) continue;
            std::fprintf(stderr, "error: rank %d: %s %s; ending the job\n", rank_,
                         rank_names_[static_cast<std::size_t>(neighbour)].c_str(),
                         silence_description(liveness_).c_str());
            std::fflush(stderr);
            MPI_Abort(MPI_COMM_WORLD, 3);
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    MPI_Cancel(&receive);
    MPI_Wait(&receive, MPI_STATUS_IGNORE);
}

}  // namespace lpu::launch::mpi
