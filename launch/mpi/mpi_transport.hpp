#pragma once
// The Transport between chips in different MPI ranks. Chips of one rank
// exchange by memory (an in-process transport, never MPI). Between ranks:
//
// Sending. A message that fits in a packet (kPacketBytes with its header)
// is appended, header (source chip, destination chip, plan tag, size) and
// bytes, to the packet for its destination rank; flush() sends each rank's
// packet as one MPI message (so does a full packet, and any wait), and the
// messages of a step to one rank cost one MPI send. A larger message puts
// only its header in the packet; its bytes go at once as an MPI message of
// their own, straight from the sender's buffer for `send` (which keeps them
// unchanged until received) or from a copy for `send_copy`.
//
// Receiving. A ring of receives for packets from any rank is always posted,
// so an arriving packet is matched on arrival: no probe, and one MPI_Test
// tells whether anything came. Its messages are handled in order: one whose
// receive left its destination (try_recv_into: a chip at a Recv, a
// collective's copy) is copied straight there; any other waits in the
// mailbox (launch/remote_mailbox.hpp) as a view of the packet, so a
// reduction adds it from there with no copy in between. The mailbox keeps
// arrival order per (chips, tag), so back-to-back executions that reuse tags
// need no barrier, and bounds what each rank may leave unreceived. A large
// message's bytes are received by MPI into their destination, or into a
// buffer of the mailbox, in the order of their headers (MPI keeps the order
// of messages with one tag between two ranks).
//
// Waiting polls MPI and gives the core away between polls (polling.hpp).
//
// The transport duplicates its communicator, so the messages of two
// transports (two runs of a test) never meet. Thread safe (one mutex): several
// threads may drive chips through it. A rank that stops is the liveness
// watch's (peer_watch.hpp), one that dies the launcher's; abort() ends the
// job from here.
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include <mpi.h>

#include "collectives/transport.hpp"
#include "launch/inprocess/in_process_transport.hpp"
#include "launch/remote_mailbox.hpp"

namespace lpu::launch::mpi {

class MpiTransport final : public collectives::Transport {
public:
    // A packet, headers included; larger messages travel on their own.
    static constexpr std::size_t kPacketBytes = std::size_t{64} << 10;

    // Collective over `comm` (it is duplicated). rank_of_chip maps every chip
    // id of the plan to its rank; `mailbox_limit_bytes` bounds what one rank
    // may send that nobody here has received yet (RemoteMailbox).
    MpiTransport(MPI_Comm comm, std::vector<int> rank_of_chip,
                 std::uint64_t mailbox_limit_bytes = RemoteMailbox::kDefaultLimitBytes);
    ~MpiTransport() override;
    MpiTransport(const MpiTransport&) = delete;
    MpiTransport& operator=(const MpiTransport&) = delete;

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
    void flush() override;
    // Waits (receiving meanwhile) until MPI has sent every `send`'s bytes it reads in place.
    void finish_sends() override;
    void abort(const std::string& reason) override;

    // Messages from other ranks waiting for their receive.
    std::size_t pending() const { return remote_.pending(); }

private:
    struct Header {
        std::uint32_t src = 0;
        std::uint32_t dst = 0;
        std::uint64_t tag = 0;
        std::uint64_t bytes = 0;
        std::uint64_t in_packet = 0;  // 1: the bytes follow the header (padded to 8)
    };
    // A packet or a large message's bytes, kept until MPI is done sending them.
    struct Outgoing {
        std::vector<std::byte> data;
        MPI_Request request = MPI_REQUEST_NULL;
        bool borrowed = false;  // MPI reads the caller's bytes (a large `send`), not `data`
    };
    // A posted receive for a packet.
    struct Slot {
        std::shared_ptr<std::byte[]> storage;
        MPI_Request request = MPI_REQUEST_NULL;
    };
    // A large message's bytes on their way into the mailbox.
    struct LargeReceive {
        RemoteMailbox::Landing landing;
        MPI_Request request = MPI_REQUEST_NULL;
    };

    int rank_of(topology::ChipId chip) const;
    bool is_local(topology::ChipId chip) const { return rank_of(chip) == rank_; }
    // With mutex_ held:
    void post_remote(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                     std::span<const std::byte> bytes, bool copy);
    void send_packet(int peer);
    void flush_packets();
    void post_slot(Slot& slot);
    // Handles every packet and large message that has arrived; true when any did.
    bool progress();
    void unpack(int source, const std::shared_ptr<std::byte[]>& packet, std::size_t size);
    void reap_sends();
    // Polls until `arrived` (or a message for this process) comes.
    template <class Arrived>
    void wait_until(const Arrived& arrived);

    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0;
    std::vector<int> rank_of_chip_;
    inprocess::InProcessTransport local_;
    RemoteMailbox remote_;
    std::mutex mutex_;
    std::vector<std::vector<std::byte>> packets_;  // being filled, by destination rank
    std::list<Outgoing> outgoing_;
    std::atomic<std::size_t> borrowed_{0};  // outgoing_ entries that read the caller's bytes
    std::vector<Slot> slots_;  // posted in order; `next_slot_` is the oldest
    std::size_t next_slot_ = 0;
    std::list<LargeReceive> large_;
    std::atomic<std::uint64_t> arrivals_{0};  // messages that arrived (any thread may count)
    std::uint64_t arrivals_seen_ = 0;          // by wait_for_message
};

}  // namespace lpu::launch::mpi
