#pragma once
// Serving under mpirun: only rank 0 knows the requests, so before each step
// it tells every rank the step's token and position for each batch slot (a
// StepLeader around its PlanModel), and at the end that no step follows. The
// other ranks run each step they are told (follow_steps) until then. Waits
// poll (polling.hpp), so idle followers leave the cores to the ranks working.
#include <span>
#include <vector>

#include <mpi.h>

#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::mpi {

class StepLeader final : public engine::LanguageModel {
public:
    // Rank 0 of `comm`; `model` is its PlanModel.
    StepLeader(engine::PlanModel& model, MPI_Comm comm) : model_(model), comm_(comm) {}
    // Tells the followers that no step follows (once; also on destruction).
    void end();
    ~StepLeader() override;

    const model::ModelConfig& config() const override { return model_.config(); }
    int max_positions() const override { return model_.max_positions(); }
    std::span<float> forward(int token, int position) override;
    std::int64_t last_forward_cycles() const override { return model_.last_forward_cycles(); }
    double clock_hz() const override { return model_.clock_hz(); }
    int batch_size() const override { return model_.batch_size(); }
    std::vector<std::span<float>> forward_batch(std::span<const int> tokens, std::span<const int> positions) override;
    std::int64_t last_step_period_cycles() const override { return model_.last_step_period_cycles(); }

private:
    engine::PlanModel& model_;
    MPI_Comm comm_;
    bool ended_ = false;
};

// Every rank but 0: runs the steps rank 0 announces until it says the end.
void follow_steps(engine::PlanModel& model, MPI_Comm comm);

}  // namespace lpu::launch::mpi
