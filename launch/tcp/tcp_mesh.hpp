#pragma once
// The connections of one process of a TCP run: one socket per other rank,
// each read by its own thread, which sorts arriving frames into inboxes —
// plan transfers into the chip mailbox, decode steps, logits and fabric
// figures into queues.
// Writes are blocking, one writer per socket at a time; since every socket is
// always being read on the other side, two processes writing to each other
// never block each other.
//
// Failure: a peer that closes its connection, breaks a frame or sends an
// abort makes every wait of this process throw lpu::Error naming that peer
// (rank and address), so nobody waits for a process that is gone.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>

#include "launch/inprocess/in_process_transport.hpp"
#include "launch/tcp/frame.hpp"

namespace lpu::launch::tcp {

// After the last step: run the fabric protocol for the steps made (launch/run_fabric.hpp).
struct FabricRequest {
    std::uint64_t seed = 1;
    int positions = 0;
};

// A decode step, or (with `fabric`) the fabric run that follows the last one.
struct StepRequest {
    std::vector<int> tokens;
    int position = 0;
    std::optional<FabricRequest> fabric;
};

class TcpMesh {
public:
    explicit TcpMesh(int rank, std::uint64_t max_frame_bytes = default_max_frame_bytes);
    ~TcpMesh();  // closes the sockets and joins the readers
    TcpMesh(const TcpMesh&) = delete;
    TcpMesh& operator=(const TcpMesh&) = delete;

    int rank() const { return rank_; }
    // Adds the connection to `peer_rank` (`name` for messages, e.g. "worker 2 (127.0.0.1:7002)")
    // and starts reading it.
    void add_peer(int peer_rank, asio::ip::tcp::socket socket, const std::string& name);

    void send(int peer_rank, capnp::MessageBuilder& message);
    // Tells every peer this process is done (a Done message): its closing
    // connection is then no failure. From rank 0 it ends the workers' runs.
    void say_goodbye();
    // Tells every peer this process fails (best effort) and fails every local wait.
    void abort_all(const std::string& reason);

    inprocess::InProcessTransport& chip_mailbox() { return mailbox_; }
    // Blocks until a plan transfer arrived since the last call (or throws on failure).
    void wait_for_chip_message();
    // Blocks for the next decode step; empty when the coordinator said the run is done.
    std::optional<StepRequest> next_step();
    // Blocks for the next logits the head chip's process sent.
    std::vector<float> next_logits();
    // Blocks for the next worker's fabric figures (JSON text), in the order they arrive.
    std::string next_fabric_figures();

private:
    struct Peer {
        Peer(int peer_rank, std::string peer_name, asio::ip::tcp::socket peer_socket)
            : rank(peer_rank), name(std::move(peer_name)), socket(std::move(peer_socket)) {}
        int rank;
        std::string name;
        asio::ip::tcp::socket socket;
        std::mutex write_mutex;
        std::thread reader;
        bool goodbye = false;  // it said the run is over for it (guarded by the mesh's mutex_)
    };
    void read_loop(Peer& peer);
    void fail(const std::string& reason);
    void throw_if_failed() const;  // with mutex_ held

    int rank_;
    std::uint64_t max_frame_bytes_;
    inprocess::InProcessTransport mailbox_;
    std::map<int, std::unique_ptr<Peer>> peers_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t chip_deliveries_ = 0, chip_deliveries_seen_ = 0;
    std::deque<std::optional<StepRequest>> steps_;
    std::deque<std::vector<float>> logits_;
    std::deque<std::string> fabric_figures_;
    std::optional<std::string> failure_;
    bool closing_ = false;
};

}  // namespace lpu::launch::tcp
