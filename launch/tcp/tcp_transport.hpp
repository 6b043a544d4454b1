#pragma once
// The Transport between chips of processes joined by TCP (a coordinator and
// its workers). Chips of one process exchange through memory (an in-process
// transport). A message to a chip of another process is a ChipMessage frame
// with its bytes after it, appended to the connection to that process and
// written at flush(): the messages of a run of sends to one process leave in
// one write (tcp_mesh.hpp). Arriving messages go into the mailbox
// (launch/remote_mailbox.hpp): straight into the destination of a receive
// that waits for them, else into a buffer that grows as the bytes arrive;
// in order per (chips, tag), and bounded per sending process, whose excess
// fails the run naming it. A message between two chips that are not of the
// sending and receiving processes is refused the same way.
#include <atomic>
#include <cstdint>
#include <map>
#include <vector>

#include "collectives/transport.hpp"
#include "launch/inprocess/in_process_transport.hpp"
#include "launch/remote_mailbox.hpp"
#include "launch/tcp/tcp_mesh.hpp"

namespace lpu::launch::tcp {

class TcpTransport final : public collectives::Transport, private ChipMessageHandler {
public:
    // rank_of_chip[chip id] is the rank (process) that runs the chip;
    // `mailbox_limit_bytes` bounds what one peer may leave unreceived. Takes
    // the mesh's chip messages until destroyed.
    TcpTransport(TcpMesh& mesh, std::vector<int> rank_of_chip,
                 std::uint64_t mailbox_limit_bytes = RemoteMailbox::kDefaultLimitBytes);
    ~TcpTransport() override;
    TcpTransport(const TcpTransport&) = delete;
    TcpTransport& operator=(const TcpTransport&) = delete;

    void send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
              std::span<const std::byte> bytes) override;
    void send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                   std::span<const std::byte> bytes) override;
    bool try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                  const Consumer& consume) override;
    bool try_recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                       std::span<std::byte> destination) override;
    void wait_for_message() override;
    void recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
              const Consumer& consume) override;
    void recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                   std::span<std::byte> destination) override;
    void flush() override { mesh_.flush(); }
    void abort(const std::string& reason) override { mesh_.abort_all(reason); }

    // Messages from other processes waiting for their receive.
    std::size_t pending() const { return remote_.pending(); }

private:
    int rank_of(topology::ChipId chip) const;
    bool is_local(topology::ChipId chip) const { return rank_of(chip) == mesh_.rank(); }
    // ChipMessageHandler, on the event loop's thread.
    void on_chip_message(int peer, schema::ChipMessage::Reader header) override;
    void on_payload(int peer, std::span<const std::byte> piece) override;
    void on_payload_end(int peer) override;
    void on_failure(const std::string& reason) override;

    // A message whose bytes are arriving from a peer.
    struct Incoming {
        RemoteMailbox::Landing landing;
        std::size_t filled = 0;
    };

    TcpMesh& mesh_;
    std::vector<int> rank_of_chip_;
    inprocess::InProcessTransport local_;
    RemoteMailbox remote_;
    std::map<int, Incoming> incoming_;       // by peer (event loop's thread)
    std::atomic<std::uint64_t> arrivals_{0};  // messages that arrived from peers
    std::uint64_t arrivals_seen_ = 0;         // by wait_for_message
};

}  // namespace lpu::launch::tcp
