#include "launch/mpi/mpi_session.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "base/error.hpp"

namespace lpu::launch::mpi {
namespace {

void check(int code, const char* what) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw Error(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

}  // namespace

bool launched_by_mpi() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
        if (std::getenv(variable) != nullptr) return true;
    }
    return false;
}

MpiSession::MpiSession() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
    if (provided < MPI_THREAD_MULTIPLE) {
        MPI_Finalize();
        throw Error("this MPI library does not support MPI_THREAD_MULTIPLE, which the liveness watch needs "
                    "(launch/mpi/peer_watch.hpp)");
    }
    check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);

    char name[MPI_MAX_PROCESSOR_NAME];
    int length = 0;
    MPI_Get_processor_name(name, &length);
    host_name_.assign(name, static_cast<std::size_t>(length));

    // Ranks sharing memory form a host; a host is known by its lowest rank.
    MPI_Comm host_comm = MPI_COMM_NULL;
    check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &host_comm), "MPI_Comm_split_type");
    int host_rank = 0, leader = rank_;
    MPI_Comm_rank(host_comm, &host_rank);
    MPI_Bcast(&leader, 1, MPI_INT, 0, host_comm);
    MPI_Comm_free(&host_comm);
    std::vector<int> leaders(static_cast<std::size_t>(size_));
    MPI_Allgather(&leader, 1, MPI_INT, leaders.data(), 1, MPI_INT, comm_);
    std::vector<int> distinct;
    for (int l : leaders) {
        if (std::find(distinct.begin(), distinct.end(), l) == distinct.end()) distinct.push_back(l);
    }
    host_count_ = static_cast<int>(distinct.size());
    host_ = static_cast<int>(std::find(distinct.begin(), distinct.end(), leader) - distinct.begin());
}

MpiSession::~MpiSession() {
    if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
    MPI_Finalize();
}

void MpiSession::abort(int code) const {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // MPI_Abort does not return; this is for the compiler
}

}  // namespace lpu::launch::mpi
