#pragma once
// The Transport between chips of processes joined by TCP (a coordinator and
// its workers): chips of one process exchange through memory, others through
// a ChipMessage frame on the connection to their process. Plus the logits
// forwarding a TCP run needs: the head chip's process sends each step's
// logits to the coordinator, which runs the generation loop.
#include <vector>

#include "collectives/transport.hpp"
#include "launch/tcp/tcp_mesh.hpp"
#include "runtime/engine/plan_model.hpp"

namespace lpu::launch::tcp {

class TcpTransport final : public collectives::Transport {
public:
    // rank_of_chip[chip id] is the rank (process) that runs the chip.
    TcpTransport(TcpMesh& mesh, std::vector<int> rank_of_chip);

    void send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
              std::span<const std::byte> bytes) override;
    void send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                   std::span<const std::byte> bytes) override;
    bool try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                  const Consumer& consume) override;
    void wait_for_message() override { mesh_.wait_for_chip_message(); }
    void recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
              const Consumer& consume) override;
    void abort(const std::string& reason) override { mesh_.abort_all(reason); }

private:
    int rank_of(topology::ChipId chip) const;

    TcpMesh& mesh_;
    std::vector<int> rank_of_chip_;
};

// Logits from the head chip's rank to rank 0 (the coordinator); other ranks
// need none, since only the coordinator samples.
class LogitsToCoordinator final : public engine::LogitsBroadcast {
public:
    LogitsToCoordinator(TcpMesh& mesh, int head_rank) : mesh_(mesh), head_rank_(head_rank) {}
    void broadcast(std::span<float> logits) override;

private:
    TcpMesh& mesh_;
    int head_rank_;
};

}  // namespace lpu::launch::tcp
