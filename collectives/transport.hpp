#pragma once
// The Transport port: how chips exchange the bytes of a schedule. Declared
// here, where the executor uses it; implemented in launch/, one backend per
// folder (inprocess/, mpi/, tcp/). Message based: a message is (src chip, dst chip, tag)
// plus bytes, and every receive names exactly the message it waits for.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "topology/topology.hpp"

namespace lpu::collectives {

using Tag = std::uint64_t;

// Tags come from the schedule: (tile, step, transfer) — unique per message of
// one execution. Throws lpu::Error when a field exceeds its bits
// (tile < 2^24, step < 2^20, transfer < 2^20).
Tag make_tag(std::uint64_t tile, std::uint64_t step, std::uint64_t transfer);

class Transport {
public:
    // Called with the bytes of a received message; they are valid only during the call.
    using Consumer = std::function<void(std::span<const std::byte>)>;

    virtual ~Transport() = default;

    // Posts a message and returns without waiting for the receiver. The bytes
    // must stay valid and unchanged until the matching recv has returned (an
    // in-process transport reads them in place; a network one may copy them).
    // The executor guarantees it: a step never writes what it sends with send
    // (a step with tree folds, which may, sends with send_copy).
    virtual void send(topology::ChipId src, topology::ChipId dst, Tag tag, std::span<const std::byte> bytes) = 0;

    // Posts a copy of the bytes: the caller may change them as soon as it
    // returns. For executors that cannot keep a buffer unchanged until the
    // receiver has taken it (a plan's chips run at their own pace).
    virtual void send_copy(topology::ChipId src, topology::ChipId dst, Tag tag, std::span<const std::byte> bytes) = 0;

    // recv when the message has arrived; false, without waiting, when it has
    // not. Lets one thread drive several chips: it runs another chip instead of waiting.
    virtual bool try_recv(topology::ChipId dst, topology::ChipId src, Tag tag, std::size_t bytes,
                          const Consumer& consume) = 0;

    // try_recv for a message copied as it is into `destination` (whose size is
    // the message's). When it has not arrived yet, a transport that receives
    // from elsewhere may keep `destination` and put the bytes straight there
    // when they come, so the caller leaves it untouched until a later
    // try_recv_into of the same message returns true. By default, try_recv
    // with copy_into.
    virtual bool try_recv_into(topology::ChipId dst, topology::ChipId src, Tag tag,
                               std::span<std::byte> destination);

    // Returns when the transport reads no buffer given to send() any more,
    // so the caller may change or free them (the executor calls it before it
    // returns: a receiver in another process may take a message after the
    // sender's execution is over). By default sends are read in place until
    // received, which in one process is before the execution ends.
    virtual void finish_sends() {}

    // Sends may wait in the transport so that several to one process leave
    // in one write; flush() sends what waits. Executors flush after a run of
    // sends; every wait of a transport flushes first, so no send waits for a
    // flush that never comes. By default there is nothing to flush.
    virtual void flush() {}

    // Blocks until a message for a chip of this process may have arrived
    // (then try_recv again). A transport whose chips are all in this process
    // throws: nobody else could send.
    virtual void wait_for_message() = 0;

    // Waits for message (src -> dst, tag), checks that it holds `bytes` bytes,
    // and hands them to `consume` (which copies or reduces them into place,
    // so an in-process transport needs no copy of its own).
    virtual void recv(topology::ChipId dst, topology::ChipId src, Tag tag, std::size_t bytes,
                      const Consumer& consume) = 0;

    // recv for a message copied as it is into `destination` (whose size is
    // the message's). A transport that receives from elsewhere may put the
    // bytes there directly and save a copy; by default, recv with copy_into.
    virtual void recv_into(topology::ChipId dst, topology::ChipId src, Tag tag, std::span<std::byte> destination);

    // A Consumer that copies the message into `destination`.
    static Consumer copy_into(std::span<std::byte> destination);

    // Fails every pending and later send/recv with lpu::Error(reason), so no
    // peer waits forever on a chip that has failed.
    virtual void abort(const std::string& reason) = 0;
};

}  // namespace lpu::collectives
