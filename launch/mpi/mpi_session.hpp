#pragma once
// This process's place in an MPI job (Open MPI's mpirun, or srun): MPI is
// initialised for the lifetime of the session, on a communicator of its own,
// and the ranks that share this host's memory are known, so placement can keep
// chips that talk a lot on one host.
#include <string>

#include <mpi.h>

namespace lpu::launch::mpi {

// True when the process was started by an MPI launcher (the environment it sets).
bool launched_by_mpi();

class MpiSession {
public:
    // MPI_Init_thread with MPI_THREAD_MULTIPLE (the liveness watch runs on a
    // thread of its own); throws lpu::Error when MPI fails or lacks it.
    MpiSession();
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    MPI_Comm comm() const { return comm_; }
    // The host's index among the job's hosts (hosts in order of their lowest rank).
    int host() const { return host_; }
    int host_count() const { return host_count_; }
    const std::string& host_name() const { return host_name_; }

    // Ends the whole job: every rank exits with `code` (a failed rank must not
    // leave the others waiting for its messages).
    [[noreturn]] void abort(int code) const;

private:
    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0;
    int size_ = 1;
    int host_ = 0;
    int host_count_ = 1;
    std::string host_name_;
};

}  // namespace lpu::launch::mpi
