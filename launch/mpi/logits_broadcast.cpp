#include "launch/mpi/logits_broadcast.hpp"

#include "base/error.hpp"
#include "launch/mpi/polling.hpp"

namespace lpu::launch::mpi {

void MpiLogitsBroadcast::broadcast(std::span<float> logits) {
    // Non-blocking, then a polling wait: the ranks that wait for the head
    // chip's stage give their cores to it (polling.hpp).
    MPI_Request request = MPI_REQUEST_NULL;
    require(MPI_Ibcast(logits.data(), static_cast<int>(logits.size()), MPI_FLOAT, root_, comm_, &request) ==
                MPI_SUCCESS,
            "MPI_Ibcast of the logits failed");
    wait_polling(request, "the broadcast of the logits");
}

}  // namespace lpu::launch::mpi
