#include "launch/mpi/logits_broadcast.hpp"

#include "base/error.hpp"

namespace lpu::launch::mpi {

void MpiLogitsBroadcast::broadcast(std::span<float> logits) {
    require(MPI_Bcast(logits.data(), static_cast<int>(logits.size()), MPI_FLOAT, root_, comm_) == MPI_SUCCESS,
            "MPI_Bcast of the logits failed");
}

}  // namespace lpu::launch::mpi
