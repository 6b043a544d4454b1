#pragma once
// The run protocol of a TCP run, apart from the connections that carry it
// (tcp_mesh.hpp) and the chips' messages (tcp_transport.hpp): what the
// coordinator (rank 0) and the workers tell each other about the run.
//   worker -> coordinator: ready (loaded, mesh connected) or refuse (why
//     not), the head chip's logits after every step, and at the end its
//     report (its chips' SRAM use and fabric figures);
//   coordinator -> workers: each decode step's tokens, then finish (run the
//     fabric for the steps made, and report), then done.
// RunInbox takes these messages off the event loop, checks who may send
// what, and queues them for the thread that waits for them.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "launch/tcp/tcp_mesh.hpp"
#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::tcp {

// After the last step: run the fabric protocol for the steps made
// (launch/run_fabric.hpp; none when no step was made) and report.
struct FinishRequest {
    std::uint64_t seed = 1;
    int positions = 0;
};

// A decode step, or (with `finish`) the end of generation.
struct StepRequest {
    std::vector<int> tokens;
    std::vector<int> positions;  // one per token
    std::optional<FinishRequest> finish;
};

class RunInbox final : public MessageHandler {
public:
    // `rank`: this process's (0: the coordinator).
    explicit RunInbox(int rank) : rank_(rank) {}

    // On the event loop: queues a message; throws lpu::Error on one this
    // process must not get from that peer.
    void on_message(int peer, schema::WireMessage::Reader message) override;

    // Each waits through `mesh` (and throws when the run fails).
    // Worker: the next decode step; empty when the coordinator said the run is done.
    std::optional<StepRequest> next_step(TcpMesh& mesh);
    // Coordinator: the next logits of the head chip, into `logits` (their size must match).
    void next_logits(TcpMesh& mesh, std::span<float> logits);
    // Coordinator: every worker's report (JSON text), by rank (index 0 empty).
    std::vector<std::string> reports(TcpMesh& mesh, int workers);
    // Coordinator: until every worker said it is ready; throws naming one that refused.
    void wait_ready(TcpMesh& mesh, int workers);
    // Coordinator: logits come from this rank only (the head chip's).
    void take_logits_from(int rank);

private:
    int rank_;
    std::mutex mutex_;
    std::deque<std::optional<StepRequest>> steps_;
    std::deque<std::vector<float>> logits_;
    std::map<int, std::string> reports_;  // by rank
    int ready_ = 0;
    struct Refusal {
        int peer = 0;
        std::string reason;
    };
    std::optional<Refusal> refusal_;
    int logits_rank_ = -1;
};

// Coordinator -> every worker.
void send_step(TcpMesh& mesh, std::span<const int> tokens, std::span<const int> positions);
void send_finish(TcpMesh& mesh, const FinishRequest& request);
// Worker -> coordinator.
void send_ready(TcpMesh& mesh);
void send_report(TcpMesh& mesh, const std::string& json);

// Logits from the head chip's rank to the coordinator, which samples; the
// other workers need none.
class LogitsToCoordinator final : public engine::LogitsBroadcast {
public:
    LogitsToCoordinator(TcpMesh& mesh, RunInbox& inbox, int head_rank)
        : mesh_(mesh), inbox_(inbox), head_rank_(head_rank) {}
    void broadcast(std::span<float> logits) override;

private:
    TcpMesh& mesh_;
    RunInbox& inbox_;
    int head_rank_;
};

}  // namespace lpu::launch::tcp
