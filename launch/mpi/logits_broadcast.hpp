#pragma once
// The logits of each step, from the rank that runs the head chip to every
// rank (MPI_Bcast), so every rank samples the same next token.
#include <mpi.h>

#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::mpi {

class MpiLogitsBroadcast final : public engine::LogitsBroadcast {
public:
    MpiLogitsBroadcast(MPI_Comm comm, int root) : comm_(comm), root_(root) {}
    void broadcast(std::span<float> logits) override;

private:
    MPI_Comm comm_;
    int root_;
};

}  // namespace lpu::launch::mpi
