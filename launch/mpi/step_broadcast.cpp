#include "launch/mpi/step_broadcast.hpp"

#include "base/error.hpp"
#include "launch/mpi/polling.hpp"

namespace lpu::launch::mpi {
namespace {

// A step announcement: [kind, token of each slot..., position of each slot...].
constexpr int kEnd = 0, kStep = 1;

void broadcast_step(std::vector<int>& message, MPI_Comm comm) {
    MPI_Request request = MPI_REQUEST_NULL;
    require(MPI_Ibcast(message.data(), static_cast<int>(message.size()), MPI_INT, 0, comm, &request) == MPI_SUCCESS,
            "MPI_Ibcast of a step failed");
    wait_polling(request, "rank 0's next step");
}

}  // namespace

std::span<float> StepLeader::forward(int token, int position) {
    const int tokens[] = {token};
    const int positions[] = {position};
    return forward_batch(tokens, positions).front();
}

std::vector<std::span<float>> StepLeader::forward_batch(std::span<const int> tokens, std::span<const int> positions) {
    invariant(!ended_, "a step after the end of the steps");
    invariant(static_cast<int>(tokens.size()) == batch_size() && static_cast<int>(positions.size()) == batch_size(),
              "a step needs a token and a position per batch slot");
    std::vector<int> message{kStep};
    message.insert(message.end(), tokens.begin(), tokens.end());
    message.insert(message.end(), positions.begin(), positions.end());
    broadcast_step(message, comm_);
    return model_.forward_batch(tokens, positions);
}

void StepLeader::end() {
    if (ended_) return;
    ended_ = true;
    std::vector<int> message(1 + 2 * static_cast<std::size_t>(batch_size()), 0);
    message[0] = kEnd;
    broadcast_step(message, comm_);
}

StepLeader::~StepLeader() {
    try {
        end();
    } catch (const std::exception&) {
        // The job is failing already; its abort ends the followers.
    }
}

void follow_steps(engine::PlanModel& model, MPI_Comm comm) {
    const auto batch = static_cast<std::size_t>(model.batch_size());
    std::vector<int> message(1 + 2 * batch);
    while (true) {
        broadcast_step(message, comm);
        if (message[0] == kEnd) return;
        invariant(message[0] == kStep, "rank 0 announced a step of unknown kind " + std::to_string(message[0]));
        const std::span<const int> all(message);
        model.forward_batch(all.subspan(1, batch), all.subspan(1 + batch, batch));
    }
}

}  // namespace lpu::launch::mpi
