#include "launch/mpi/mpi_transport.hpp"

#include <climits>
#include <cstring>

#include "base/error.hpp"
#include "base/log.hpp"
#include "launch/mpi/polling.hpp"

namespace lpu::launch::mpi {
namespace {

// MPI tags on the transport's own communicator; the plan's tag is in the
// header (it may exceed MPI_TAG_UB).
constexpr int kPacketTag = 7;
constexpr int kBytesTag = 8;

// Packets that may arrive before the transport looks: more wait in MPI's
// own queue, unmatched, until a slot is free again.
constexpr std::size_t kSlots = 8;

std::size_t padded(std::uint64_t bytes) { return static_cast<std::size_t>((bytes + 7) & ~std::uint64_t{7}); }

}  // namespace

MpiTransport::MpiTransport(MPI_Comm comm, std::vector<int> rank_of_chip, std::uint64_t mailbox_limit_bytes)
    : rank_of_chip_(std::move(rank_of_chip)), remote_(mailbox_limit_bytes) {
    require(MPI_Comm_dup(comm, &comm_) == MPI_SUCCESS, "MPI_Comm_dup for the transport failed");
    int size = 1;
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size);
    packets_.resize(static_cast<std::size_t>(size));
    slots_.resize(kSlots);
    for (Slot& slot : slots_) post_slot(slot);
}

MpiTransport::~MpiTransport() {
    for (Slot& slot : slots_) {
        MPI_Cancel(&slot.request);
        MPI_Wait(&slot.request, MPI_STATUS_IGNORE);
    }
    for (LargeReceive& receive : large_) {
        MPI_Cancel(&receive.request);
        MPI_Wait(&receive.request, MPI_STATUS_IGNORE);
    }
    // Sends still in flight belong to a run that failed; let MPI finish them.
    for (Outgoing& outgoing : outgoing_) MPI_Wait(&outgoing.request, MPI_STATUS_IGNORE);
    MPI_Comm_free(&comm_);
}

int MpiTransport::rank_of(topology::ChipId chip) const {
    require(chip < rank_of_chip_.size(), [&] { return "chip " + std::to_string(chip) + " is not placed on any rank"; });
    return rank_of_chip_[chip];
}

void MpiTransport::post_slot(Slot& slot) {
    slot.storage = std::shared_ptr<std::byte[]>(new std::byte[kPacketBytes]);  // written whole before it is read
    MPI_Irecv(slot.storage.get(), static_cast<int>(kPacketBytes), MPI_BYTE, MPI_ANY_SOURCE, kPacketTag, comm_,
              &slot.request);
}

void MpiTransport::post_remote(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                               std::span<const std::byte> bytes, bool copy) {
    require(bytes.size() <= static_cast<std::size_t>(INT_MAX), [&] {
        return "message chip " + std::to_string(src) + " -> chip " + std::to_string(dst) + " of " +
               std::to_string(bytes.size()) + " bytes exceeds MPI's " + std::to_string(INT_MAX) + "-byte limit";
    });
    const int peer = rank_of(dst);
    std::vector<std::byte>& packet = packets_[static_cast<std::size_t>(peer)];
    const bool in_packet = sizeof(Header) + padded(bytes.size()) <= kPacketBytes;
    const std::size_t record = sizeof(Header) + (in_packet ? padded(bytes.size()) : 0);
    if (packet.size() + record > kPacketBytes) send_packet(peer);
    const Header header{src, dst, tag, bytes.size(), in_packet ? 1u : 0u};
    const std::size_t at = packet.size();
    packet.resize(at + record);
    std::memcpy(packet.data() + at, &header, sizeof header);
    if (in_packet) {
        if (!bytes.empty()) std::memcpy(packet.data() + at + sizeof header, bytes.data(), bytes.size());
        return;
    }
    Outgoing& outgoing = outgoing_.emplace_back();
    if (copy) {
        outgoing.data.assign(bytes.begin(), bytes.end());
        bytes = outgoing.data;
    } else {
        outgoing.borrowed = true;
        ++borrowed_;
    }
    // MPI reads a `send`'s bytes in place: the caller keeps them unchanged until received.
    require(MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, peer, kBytesTag, comm_,
                      &outgoing.request) == MPI_SUCCESS,
            [&] { return "MPI_Isend to rank " + std::to_string(peer) + " failed"; });
}

void MpiTransport::send_packet(int peer) {
    std::vector<std::byte>& packet = packets_[static_cast<std::size_t>(peer)];
    if (packet.empty()) return;
    Outgoing& outgoing = outgoing_.emplace_back();
    outgoing.data.swap(packet);
    require(MPI_Isend(outgoing.data.data(), static_cast<int>(outgoing.data.size()), MPI_BYTE, peer, kPacketTag,
                      comm_, &outgoing.request) == MPI_SUCCESS,
            [&] { return "MPI_Isend to rank " + std::to_string(peer) + " failed"; });
}

void MpiTransport::flush_packets() {
    for (std::size_t peer = 0; peer < packets_.size(); ++peer) send_packet(static_cast<int>(peer));
}

void MpiTransport::reap_sends() {
    for (auto it = outgoing_.begin(); it != outgoing_.end();) {
        int done = 0;
        MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
        if (done && it->borrowed) --borrowed_;
        it = done ? outgoing_.erase(it) : std::next(it);
    }
}

bool MpiTransport::progress() {
    bool any = false;
    for (;;) {
        Slot& slot = slots_[next_slot_];
        int done = 0;
        MPI_Status status;
        MPI_Test(&slot.request, &done, &status);
        if (!done) break;
        int size = 0;
        MPI_Get_count(&status, MPI_BYTE, &size);
        std::shared_ptr<std::byte[]> packet = std::move(slot.storage);
        post_slot(slot);  // slots complete in the order they were posted: this one is now the newest
        next_slot_ = (next_slot_ + 1) % slots_.size();
        unpack(status.MPI_SOURCE, packet, static_cast<std::size_t>(size));
        any = true;
    }
    for (auto it = large_.begin(); it != large_.end();) {
        int done = 0;
        MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
        if (!done) {
            ++it;
            continue;
        }
        remote_.arrived(std::move(it->landing));
        ++arrivals_;
        it = large_.erase(it);
        any = true;
    }
    reap_sends();
    return any;
}

void MpiTransport::unpack(int source, const std::shared_ptr<std::byte[]>& packet, std::size_t size) {
    const auto malformed = [&](const std::string& what) {
        return Error("rank " + std::to_string(source) + " sent a malformed packet: " + what);
    };
    std::shared_ptr<const std::byte[]> held;  // the packet, counted against `source`, once a message waits in it
    for (std::size_t at = 0; at < size;) {
        if (size - at < sizeof(Header)) throw malformed("it ends inside a header");
        Header header;
        std::memcpy(&header, packet.get() + at, sizeof header);
        at += sizeof header;
        const bool placed = header.src < rank_of_chip_.size() && rank_of_chip_[header.src] == source &&
                            header.dst < rank_of_chip_.size() && rank_of_chip_[header.dst] == rank_ &&
                            header.bytes <= static_cast<std::uint64_t>(INT_MAX) && header.in_packet <= 1;
        if (!placed || (header.in_packet && padded(header.bytes) > size - at)) {
            throw malformed("a message chip " + std::to_string(header.src) + " -> chip " + std::to_string(header.dst) +
                            " of " + std::to_string(header.bytes) + " bytes, which is not for this rank from that one");
        }
        try {
            RemoteMailbox::Landing landing =
                remote_.land(source, {header.src, header.dst, header.tag}, static_cast<std::size_t>(header.bytes));
            if (!header.in_packet) {
                const std::span<std::byte> place = remote_.place(landing);
                LargeReceive& receive = large_.emplace_back(LargeReceive{std::move(landing), MPI_REQUEST_NULL});
                MPI_Irecv(place.data(), static_cast<int>(place.size()), MPI_BYTE, source, kBytesTag, comm_,
                          &receive.request);
                continue;
            }
            const std::span<const std::byte> bytes(packet.get() + at, static_cast<std::size_t>(header.bytes));
            at += padded(header.bytes);
            if (landing.direct) {
                if (!bytes.empty()) std::memcpy(landing.destination.data(), bytes.data(), bytes.size());
                remote_.arrived(std::move(landing));
            } else {
                if (!held) held = remote_.hold_packet(source, packet, kPacketBytes);
                remote_.arrived_in(std::move(landing), held, bytes);
            }
            ++arrivals_;
        } catch (const Error& e) {
            throw Error("rank " + std::to_string(source) + ": " + e.what());
        }
    }
}

void MpiTransport::send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                        std::span<const std::byte> bytes) {
    if (is_local(dst)) return local_.send(src, dst, tag, bytes);
    std::lock_guard lock(mutex_);
    post_remote(src, dst, tag, bytes, false);
}

void MpiTransport::send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                             std::span<const std::byte> bytes) {
    if (is_local(dst)) return local_.send_copy(src, dst, tag, bytes);
    std::lock_guard lock(mutex_);
    post_remote(src, dst, tag, bytes, true);
}

void MpiTransport::flush() {
    std::lock_guard lock(mutex_);
    flush_packets();
}

void MpiTransport::finish_sends() {
    // The receivers need these bytes to finish the execution they are in, so
    // they keep polling until they have taken them.
    wait_until([&] { return borrowed_.load() == 0; });
}

template <class Arrived>
void MpiTransport::wait_until(const Arrived& arrived) {
    for (Poller poller;; poller.pause()) {
        {
            std::lock_guard lock(mutex_);
            flush_packets();
            progress();
        }
        if (arrived()) return;  // outside the lock: a receive's consumer may receive again
    }
}

bool MpiTransport::try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                            const Consumer& consume) {
    if (is_local(src)) return local_.try_recv(dst, src, tag, bytes, consume);
    if (remote_.try_take(dst, src, tag, bytes, consume)) return true;
    {
        std::lock_guard lock(mutex_);
        if (!progress()) return false;
    }
    return remote_.try_take(dst, src, tag, bytes, consume);
}

bool MpiTransport::try_recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                                 std::span<std::byte> destination) {
    if (is_local(src)) return Transport::try_recv_into(dst, src, tag, destination);
    if (remote_.try_take_into(dst, src, tag, destination)) return true;
    {
        std::lock_guard lock(mutex_);
        if (!progress()) return false;
    }
    return remote_.try_take_into(dst, src, tag, destination);
}

void MpiTransport::wait_for_message() {
    // A message that arrived while another chip polled may be the one a chip
    // already looked for: then there is something to retry, nothing to wait for.
    wait_until([&] { return arrivals_.load() != arrivals_seen_; });
    arrivals_seen_ = arrivals_.load();
}

void MpiTransport::recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                        const Consumer& consume) {
    if (is_local(src)) return local_.recv(dst, src, tag, bytes, consume);  // posted before, or never (it throws)
    wait_until([&] { return remote_.try_take(dst, src, tag, bytes, consume); });
}

void MpiTransport::recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                             std::span<std::byte> destination) {
    if (is_local(src)) return Transport::recv_into(dst, src, tag, destination);
    wait_until([&] { return remote_.try_take_into(dst, src, tag, destination); });
}

void MpiTransport::abort(const std::string& reason) {
    log::get("launch")->error("rank {} aborts the job: {}", rank_, reason);
    remote_.abort(reason);
    local_.abort(reason);
    MPI_Abort(comm_, 3);
}

}  // namespace lpu::launch::mpi
