#pragma once
// The Transport between chips in different MPI ranks. Chips of one rank
// exchange by memory (the in-process mailbox, never MPI); a message to a chip
// of another rank is two non-blocking MPI sends: a small header (source chip,
// destination chip, plan tag, size), then the bytes, straight from the
// sender's buffer for `send` (which keeps them unchanged until received) and
// from a copy for `send_copy`. Receiving drains every arrived header and its
// bytes (MPI keeps the order of messages between two ranks, so the bytes
// after a header are its own) into the mailbox, keyed by (source chip,
// destination chip, tag), so each receive finds exactly the message it waits
// for whatever order they arrived in; the one message a recv_into is already
// waiting for goes straight to its destination instead. Messages longer than
// `max_message_bytes` are refused.
//
// One thread uses it (MPI_THREAD_FUNNELED). A peer that dies makes the MPI
// launcher end the job; abort() ends it from here.
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <vector>

#include <mpi.h>

#include "collectives/transport.hpp"
#include "launch/inprocess/in_process_transport.hpp"

namespace lpu::launch::mpi {

class MpiTransport final : public collectives::Transport {
public:
    // rank_of_chip maps every chip id of the plan to its rank; `comm` must
    // outlive the transport.
    MpiTransport(MPI_Comm comm, std::vector<int> rank_of_chip, std::int64_t max_message_bytes = std::int64_t{1} << 31);
    ~MpiTransport() override;

    void send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
              std::span<const std::byte> bytes) override;
    void send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                   std::span<const std::byte> bytes) override;
    bool try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                  const Consumer& consume) override;
    void wait_for_message() override;
    void recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
              const Consumer& consume) override;
    // A message from another rank that has not arrived yet is received
    // straight into `destination` (MPI_Recv there), with no staging copy.
    void recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                   std::span<std::byte> destination) override;
    void abort(const std::string& reason) override;

private:
    struct Header {
        std::uint32_t src = 0;
        std::uint32_t dst = 0;
        std::uint64_t tag = 0;
        std::uint64_t bytes = 0;
        bool operator==(const Header&) const = default;
    };
    // Kept until MPI is done with both sends (list nodes never move).
    struct Outgoing {
        Header header;
        std::vector<std::byte> copy;  // the bytes of a send_copy
        MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    };
    bool is_local(topology::ChipId chip) const;
    int rank_of(topology::ChipId chip) const;
    void post_remote(topology::ChipId src, topology::ChipId dst, collectives::Tag tag, std::span<const std::byte> bytes,
                     bool copy);
    // Moves every MPI message that has arrived into the mailbox, except the one
    // a recv_into waits for, which goes to its destination; with `block`,
    // waits for at least one.
    void drain(bool block);
    // MPI_Recv of the bytes that follow a header from `source`, into `into`.
    void receive_bytes(int source, std::span<std::byte> into);
    void reap_sends();

    MPI_Comm comm_;
    int rank_ = 0;
    std::vector<int> rank_of_chip_;
    std::int64_t max_message_bytes_;
    inprocess::InProcessTransport mailbox_;
    std::list<Outgoing> outgoing_;
    std::uint64_t deliveries_ = 0, deliveries_seen_ = 0;  // messages moved into the mailbox
    // The message a recv_into waits for, and where its bytes go.
    struct DirectReceive {
        Header header;
        std::span<std::byte> destination;
        bool received = false;
    };
    std::optional<DirectReceive> direct_;
};

}  // namespace lpu::launch::mpi
