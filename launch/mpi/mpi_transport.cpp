#include "launch/mpi/mpi_transport.hpp"

#include "base/error.hpp"
#include "base/log.hpp"

namespace lpu::launch::mpi {
namespace {

// A message's header and its bytes travel under these MPI tags on the
// transport's own communicator; the plan's tag is in the header (it may
// exceed MPI_TAG_UB).
constexpr int kHeaderTag = 7;
constexpr int kBytesTag = 8;

}  // namespace

MpiTransport::MpiTransport(MPI_Comm comm, std::vector<int> rank_of_chip, std::int64_t max_message_bytes)
    : comm_(comm), rank_of_chip_(std::move(rank_of_chip)), max_message_bytes_(max_message_bytes) {
    MPI_Comm_rank(comm_, &rank_);
}

MpiTransport::~MpiTransport() {
    // Sends still in flight belong to a run that failed; let MPI finish them.
    for (auto& outgoing : outgoing_) MPI_Waitall(2, outgoing.requests, MPI_STATUSES_IGNORE);
}

int MpiTransport::rank_of(topology::ChipId chip) const {
    require(chip < rank_of_chip_.size(), [&] { return "chip " + std::to_string(chip) + " is not placed on any rank"; });
    return rank_of_chip_[chip];
}

bool MpiTransport::is_local(topology::ChipId chip) const { return rank_of(chip) == rank_; }

void MpiTransport::post_remote(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                               std::span<const std::byte> bytes, bool copy) {
    require(static_cast<std::int64_t>(bytes.size()) <= max_message_bytes_, [&] {
        return "message chip " + std::to_string(src) + " -> chip " + std::to_string(dst) + " of " +
               std::to_string(bytes.size()) + " bytes exceeds the " + std::to_string(max_message_bytes_) + "-byte limit";
    });
    reap_sends();
    Outgoing& outgoing = outgoing_.emplace_back();
    outgoing.header = {src, dst, tag, bytes.size()};
    if (copy) {
        outgoing.copy.assign(bytes.begin(), bytes.end());
        bytes = outgoing.copy;
    }
    const int peer = rank_of(dst);
    int code = MPI_Isend(&outgoing.header, sizeof(Header), MPI_BYTE, peer, kHeaderTag, comm_, &outgoing.requests[0]);
    if (code == MPI_SUCCESS && !bytes.empty()) {
        code = MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, peer, kBytesTag, comm_,
                         &outgoing.requests[1]);
    }
    require(code == MPI_SUCCESS, [&] { return "MPI_Isend to rank " + std::to_string(peer) + " failed"; });
}

void MpiTransport::send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                        std::span<const std::byte> bytes) {
    if (is_local(dst)) {
        mailbox_.send(src, dst, tag, bytes);
    } else {
        post_remote(src, dst, tag, bytes, false);  // MPI reads the caller's bytes, unchanged until received
    }
}

void MpiTransport::send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                             std::span<const std::byte> bytes) {
    if (is_local(dst)) {
        mailbox_.send_copy(src, dst, tag, bytes);
    } else {
        post_remote(src, dst, tag, bytes, true);
    }
}

void MpiTransport::reap_sends() {
    for (auto it = outgoing_.begin(); it != outgoing_.end();) {
        int done = 0;
        MPI_Testall(2, it->requests, &done, MPI_STATUSES_IGNORE);
        it = done ? outgoing_.erase(it) : std::next(it);
    }
}

void MpiTransport::drain(bool block) {
    for (bool first = true;; first = false) {
        MPI_Status status;
        int arrived = 0;
        if (block && first) {
            MPI_Probe(MPI_ANY_SOURCE, kHeaderTag, comm_, &status);
            arrived = 1;
        } else {
            MPI_Iprobe(MPI_ANY_SOURCE, kHeaderTag, comm_, &arrived, &status);
        }
        if (!arrived) return;
        int size = 0;
        MPI_Get_count(&status, MPI_BYTE, &size);
        const int source = status.MPI_SOURCE;
        require(size == static_cast<int>(sizeof(Header)), [&] {
            return "a message of " + std::to_string(size) + " bytes from rank " + std::to_string(source) +
                   " is not a plan message header";
        });
        Header header;
        MPI_Recv(&header, sizeof(Header), MPI_BYTE, source, kHeaderTag, comm_, MPI_STATUS_IGNORE);
        require(static_cast<std::int64_t>(header.bytes) <= max_message_bytes_ && is_local(header.dst), [&] {
            return "rank " + std::to_string(source) + " sent a malformed message (chip " + std::to_string(header.src) +
                   " -> chip " + std::to_string(header.dst) + ", " + std::to_string(header.bytes) + " bytes)";
        });
        if (direct_ && !direct_->received && header == direct_->header) {
            receive_bytes(source, direct_->destination);
            direct_->received = true;
            continue;
        }
        std::vector<std::byte> bytes = mailbox_.spare_buffer();
        bytes.resize(static_cast<std::size_t>(header.bytes));
        receive_bytes(source, bytes);
        mailbox_.deliver(header.src, header.dst, header.tag, std::move(bytes), 0);
        ++deliveries_;
    }
}

void MpiTransport::receive_bytes(int source, std::span<std::byte> into) {
    if (into.empty()) return;
    MPI_Status status;
    MPI_Recv(into.data(), static_cast<int>(into.size()), MPI_BYTE, source, kBytesTag, comm_, &status);
    int size = 0;
    MPI_Get_count(&status, MPI_BYTE, &size);
    require(size == static_cast<int>(into.size()), [&] {
        return "rank " + std::to_string(source) + " sent " + std::to_string(size) + " bytes after a header announcing " +
               std::to_string(into.size());
    });
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

void MpiTransport::recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                             std::span<std::byte> destination) {
    if (is_local(src)) {
        Transport::recv_into(dst, src, tag, destination);  // a message in memory: one copy either way
        return;
    }
    const Consumer copy = copy_into(destination);
    // Already drained into the mailbox (it arrived while waiting for another): copy it out.
    if (try_recv(dst, src, tag, destination.size(), copy)) return;
    direct_ = DirectReceive{{src, dst, tag, destination.size()}, destination};
    struct Forget {
        std::optional<DirectReceive>& direct;
        ~Forget() { direct.reset(); }  // also when a receive throws
    } forget{direct_};
    // A header announcing another size goes to the mailbox, whose recv then names the mismatch.
    while (!direct_->received && !mailbox_.try_recv(dst, src, tag, destination.size(), copy)) drain(true);
}

void MpiTransport::abort(const std::string& reason) {
    log::get("launch")->error("rank {} aborts the job: {}", rank_, reason);
    mailbox_.abort(reason);
    MPI_Abort(comm_, 3);
}

}  // namespace lpu::launch::mpi
