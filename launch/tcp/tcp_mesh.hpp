#pragma once
// The connections of one process of a TCP run: one to each other process
// (rank), all on one event loop that a thread of the mesh runs. The mesh
// does what every connection needs and nothing of the run itself:
//   - it routes what arrives: a chip message (header, then payload pieces)
//     to the chip handler (the transport, tcp_transport.hpp), heartbeats and
//     goodbyes to itself, every other message to the protocol handler (the
//     run protocol, run_protocol.hpp);
//   - the liveness rule (launch/peer_liveness.hpp): it sends a heartbeat to
//     every peer it has not written to for kHeartbeatInterval, and a peer
//     that has sent nothing for the timeout (half a frame included) fails the
//     run, named;
//   - failure: a peer that closes its connection without a goodbye, breaks
//     a frame, sends an abort or falls silent makes every wait of this
//     process throw lpu::Error naming it (rank and address), so nobody waits
//     for a process that is gone; abort_all() tells every peer that this
//     process fails.
// Waiting: wait_until(condition) flushes what this process owes its peers,
// polls the condition briefly (the answer is often microseconds away), then
// sleeps until the event loop has handled something new.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>

#include "launch/peer_liveness.hpp"
#include "launch/tcp/connection.hpp"

namespace lpu::launch::tcp {

// The run protocol's side: every message that is not a chip message,
// heartbeat or abort (a goodbye is told here too), on the event loop's
// thread. Throwing fails the run, naming the peer.
class MessageHandler {
public:
    virtual ~MessageHandler() = default;
    virtual void on_message(int peer, schema::WireMessage::Reader message) = 0;
};

// The transport's side: chip messages, on the event loop's thread.
class ChipMessageHandler {
public:
    virtual ~ChipMessageHandler() = default;
    virtual void on_chip_message(int peer, schema::ChipMessage::Reader header) = 0;
    virtual void on_payload(int peer, std::span<const std::byte> piece) = 0;
    virtual void on_payload_end(int peer) = 0;
    // The run failed: write nowhere any more.
    virtual void on_failure(const std::string& reason) = 0;
};

class TcpMesh final : private Connection::Owner {
public:
    TcpMesh(int rank, const PeerLiveness& liveness, MessageHandler& protocol);
    // Closes every connection gracefully (what was sent arrives, then the
    // peers see the end) and stops the event loop.
    ~TcpMesh() override;
    TcpMesh(const TcpMesh&) = delete;
    TcpMesh& operator=(const TcpMesh&) = delete;

    int rank() const { return rank_; }
    const PeerLiveness& liveness() const { return liveness_; }
    // Adds the connection to `peer_rank` (a socket of any event loop) and
    // starts reading it. `name` is for messages: "worker 2 (127.0.0.1:7002)".
    void add_peer(int peer_rank, asio::ip::tcp::socket socket, const std::string& name);
    const std::string& name_of(int peer_rank) const;
    std::vector<int> peers() const;
    // Chip messages go to `handler` from now on (nullptr: none expected).
    // Once it returns, the previous handler is called no more.
    void set_chip_handler(ChipMessageHandler* handler);

    // Appends a frame for `peer_rank`; it leaves at the next flush.
    void append(int peer_rank, capnp::MessageBuilder& message, std::span<const std::byte> payload = {});
    // append, then flush that peer.
    void send(int peer_rank, capnp::MessageBuilder& message);
    void flush();
    // Tells every peer this process is done (its closing connection is then
    // no failure). From rank 0 it ends the workers' runs.
    void say_goodbye();
    // Tells every peer this process fails, with why (best effort), and fails
    // every wait here.
    void abort_all(const std::string& reason);

    // Returns when `condition()` holds; throws lpu::Error when it does not and the run failed.
    // `condition` must read what the handlers write under their own locks.
    template <class Condition>
    void wait_until(const Condition& condition);
    // Something a waiter may want arrived (the handlers call it).
    void notify();
    void throw_if_failed() const;
    bool failed() const { return failed_.load(); }

private:
    struct Peer {
        std::unique_ptr<Connection> connection;
        bool goodbye = false;  // it said the run is over for it (event loop's thread)
    };
    Connection& connection(int peer_rank) const;
    void fail(const std::string& reason);
    void watch();  // the liveness timer's tick, on the event loop
    void wait_for_change(std::uint64_t seen);
    // Connection::Owner, on the event loop's thread.
    void on_message(Connection& from, Frame& frame) override;
    void on_payload(Connection& from, std::span<const std::byte> piece) override;
    void on_payload_end(Connection& from) override;
    void on_broken(Connection& connection, const std::string& why) override;

    int rank_;
    PeerLiveness liveness_;
    MessageHandler& protocol_;
    std::mutex chips_mutex_;  // held while the handler is called
    ChipMessageHandler* chips_ = nullptr;

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    asio::steady_timer timer_;
    mutable std::mutex peers_mutex_;
    std::map<int, Peer> peers_;
    std::thread loop_;
    std::atomic<bool> closing_{false};

    mutable std::mutex wait_mutex_;
    std::condition_variable changed_;
    std::atomic<std::uint64_t> version_{0};  // bumped by notify()
    std::atomic<int> sleepers_{0};
    std::atomic<bool> failed_{false};
    std::optional<std::string> failure_;  // guarded by wait_mutex_
};

template <class Condition>
void TcpMesh::wait_until(const Condition& condition) {
    flush();
    const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
    for (;;) {
        const std::uint64_t seen = version_.load();
        if (condition()) return;  // what arrived before a failure is still taken
        throw_if_failed();
        if (std::chrono::steady_clock::now() < spin_until) continue;
        wait_for_change(seen);
    }
}

}  // namespace lpu::launch::tcp
