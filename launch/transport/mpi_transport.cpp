#include "launch/transport/mpi_transport.hpp"

#include <cstring>

#include "base/error.hpp"
#include "base/log.hpp"

namespace lpu::launch {
namespace {

// Every message of the plan travels under this MPI tag on the transport's own
// communicator; the plan's tag is in the header (it may exceed MPI_TAG_UB).
constexpr int kMessageTag = 7;

struct Header {
    std::uint32_t src = 0;
    std::uint32_t dst = 0;
    std::uint64_t tag = 0;
    std::uint64_t bytes = 0;
};
static_assert(sizeof(Header) == 24);

}  // namespace

MpiTransport::MpiTransport(MPI_Comm comm, std::vector<int> rank_of_chip, std::int64_t max_message_bytes)
    : comm_(comm), rank_of_chip_(std::move(rank_of_chip)), max_message_bytes_(max_message_bytes) {
    MPI_Comm_rank(comm_, &rank_);
}

MpiTransport::~MpiTransport() {
    // Sends still in flight belong to a run that failed; let MPI finish them.
    for (auto& outgoing : outgoing_) MPI_Wait(&outgoing.request, MPI_STATUS_IGNORE);
}

int MpiTransport::rank_of(topology::ChipId chip) const {
    require(chip < rank_of_chip_.size(), [&] { return "chip " + std::to_string(chip) + " is not placed on any rank"; });
    return rank_of_chip_[chip];
}

bool MpiTransport::is_local(topology::ChipId chip) const { return rank_of(chip) == rank_; }

void MpiTransport::post_remote(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                               std::span<const std::byte> bytes) {
    require(static_cast<std::int64_t>(bytes.size()) <= max_message_bytes_, [&] {
        return "message chip " + std::to_string(src) + " -> chip " + std::to_string(dst) + " of " +
               std::to_string(bytes.size()) + " bytes exceeds the " + std::to_string(max_message_bytes_) + "-byte limit";
    });
    reap_sends();
    Outgoing& outgoing = outgoing_.emplace_back();
    const Header header{src, dst, tag, bytes.size()};
    outgoing.packet.resize(sizeof(Header) + bytes.size());
    std::memcpy(outgoing.packet.data(), &header, sizeof(Header));
    if (!bytes.empty()) std::memcpy(outgoing.packet.data() + sizeof(Header), bytes.data(), bytes.size());
    const int code = MPI_Isend(outgoing.packet.data(), static_cast<int>(outgoing.packet.size()), MPI_BYTE, rank_of(dst),
                               kMessageTag, comm_, &outgoing.request);
    require(code == MPI_SUCCESS, "MPI_Isend to rank " + std::to_string(rank_of(dst)) + " failed");
}

void MpiTransport::send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                        std::span<const std::byte> bytes) {
    if (is_local(dst)) {
        mailbox_.send(src, dst, tag, bytes);
    } else {
        post_remote(src, dst, tag, bytes);  // copied into the packet: the caller's bytes are free at once
    }
}

void MpiTransport::send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                             std::span<const std::byte> bytes) {
    if (is_local(dst)) {
        mailbox_.send_copy(src, dst, tag, bytes);
    } else {
        post_remote(src, dst, tag, bytes);
    }
}

void MpiTransport::reap_sends() {
    for (auto it = outgoing_.begin(); it != outgoing_.end();) {
        int done = 0;
        MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
        it = done ? outgoing_.erase(it) : std::next(it);
    }
}

void MpiTransport::drain(bool block) {
    for (bool first = true;; first = false) {
        MPI_Status status;
        int arrived = 0;
        if (block && first) {
            MPI_Probe(MPI_ANY_SOURCE, kMessageTag, comm_, &status);
            arrived = 1;
        } else {
            MPI_Iprobe(MPI_ANY_SOURCE, kMessageTag, comm_, &arrived, &status);
        }
        if (!arrived) return;
        int size = 0;
        MPI_Get_count(&status, MPI_BYTE, &size);
        require(size >= static_cast<int>(sizeof(Header)) &&
                    static_cast<std::int64_t>(size) <= max_message_bytes_ + static_cast<std::int64_t>(sizeof(Header)),
                [&] { return "a message of " + std::to_string(size) + " bytes from rank " +
                             std::to_string(status.MPI_SOURCE) + " is not a plan message"; });
        std::vector<std::byte> packet = mailbox_.spare_buffer();
        packet.resize(static_cast<std::size_t>(size));
        MPI_Recv(packet.data(), size, MPI_BYTE, status.MPI_SOURCE, kMessageTag, comm_, MPI_STATUS_IGNORE);
        Header header;
        std::memcpy(&header, packet.data(), sizeof(Header));
        require(header.bytes == static_cast<std::uint64_t>(size) - sizeof(Header) && is_local(header.dst), [&] {
            return "rank " + std::to_string(status.MPI_SOURCE) + " sent a malformed message (chip " +
                   std::to_string(header.src) + " -> chip " + std::to_string(header.dst) + ")";
        });
        mailbox_.deliver(header.src, header.dst, header.tag, std::move(packet), sizeof(Header));
        ++deliveries_;
    }
}

bool MpiTransport::try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                            const Consumer& consume) {
    if (mailbox_.try_recv(dst, src, tag, bytes, consume)) return true;
    drain(false);
    reap_sends();
    return mailbox_.try_recv(dst, src, tag, bytes, consume);
}

void MpiTransport::wait_for_message() {
    // A message drained while polling for another chip may be the one a chip
    // already checked for: then there is something to retry, nothing to wait for.
    if (deliveries_ == deliveries_seen_) drain(true);
    deliveries_seen_ = deliveries_;
}

void MpiTransport::recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                        const Consumer& consume) {
    if (is_local(src)) {
        mailbox_.recv(dst, src, tag, bytes, consume);  // posted before, or never (it throws)
        return;
    }
    while (!try_recv(dst, src, tag, bytes, consume)) drain(true);
}

void MpiTransport::abort(const std::string& reason) {
    log::get("launch")->error("rank {} aborts the job: {}", rank_, reason);
    mailbox_.abort(reason);
    MPI_Abort(comm_, 3);
}

}  // namespace lpu::launch
