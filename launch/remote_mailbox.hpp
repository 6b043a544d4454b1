#pragma once
// Messages that arrived from chips of other processes and wait for their
// receive: the MPI and TCP transports put what they read here, and their
// receives take it out. Three things a plain map of messages would not do:
//   - Order. Messages with the same (source chip, destination chip, tag) are
//     taken in the order their headers arrived, even when a later one is
//     complete first. Executions that reuse the tags of the previous one (the
//     next decode step, the next run of a collective) then need no barrier in
//     between: the k-th receive of a tag gets the k-th message, since a
//     connection (or MPI, between two ranks) keeps order.
//   - A bound. The bytes waiting from one peer process are limited (each
//     message counts its bytes plus kMessageOverheadBytes, and a packet of
//     several messages held for them counts whole); a message that would take
//     a peer past the limit is refused before anything is allocated for it,
//     and the transport fails the run naming the peer, instead of growing
//     without bound on messages nobody asks for.
//   - Straight into place. A receive that finds nothing leaves its
//     destination (try_take_into); the message that arrives for it is
//     written there, with no buffer of its own and no second copy. And a
//     message that arrived inside a larger packet can wait as a view of it
//     (arrived_in), so a receive that adds it somewhere reads it from there.
// Thread safe: one thread may land and fill messages while others take them.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collectives/transport.hpp"

namespace lpu::launch {

class RemoteMailbox {
public:
    // Counted for every waiting message on top of its bytes, so that floods
    // of tiny messages are bounded too.
    static constexpr std::uint64_t kMessageOverheadBytes = 64;
    // Bytes that may wait from one peer unless the run sets its own limit.
    static constexpr std::uint64_t kDefaultLimitBytes = std::uint64_t{64} << 20;

    explicit RemoteMailbox(std::uint64_t limit_bytes_per_peer = kDefaultLimitBytes);
    ~RemoteMailbox();
    RemoteMailbox(const RemoteMailbox&) = delete;
    RemoteMailbox& operator=(const RemoteMailbox&) = delete;

    struct Key {
        topology::ChipId src = 0;
        topology::ChipId dst = 0;
        collectives::Tag tag = 0;
        auto operator<=>(const Key&) const = default;
    };

private:
    struct Waiting;
    using Queue = std::multimap<Key, Waiting>;

public:
    // Where the bytes of an arriving message go: a waiting receive's
    // destination (`direct`), or storage of the message's own.
    struct Landing {
        Key key;
        int peer = 0;
        std::size_t size = 0;
        bool direct = false;
        std::span<std::byte> destination;  // when direct
        std::vector<std::byte> buffer;     // otherwise; grows as bytes are filled in
        Queue::iterator entry;             // its place in the queue, when not direct
    };

    // The landing place of a message from process `peer` whose header says
    // `bytes`; its turn among messages of its key is taken now. Throws
    // lpu::Error (without naming the peer: the caller does) when the peer
    // would have more than the limit waiting. Nothing is allocated yet.
    Landing land(int peer, const Key& key, std::size_t bytes);
    // The whole landing place, allocated, for a writer that needs it at once
    // (an MPI receive). The writer must be a thread that receives.
    std::span<std::byte> place(Landing& landing);
    // Copies `bytes` to `offset` of the message, allocating only as far as
    // they reach (a header that announces much and sends little costs
    // little). For a writer on another thread than the receivers: after
    // abort() nothing is written, so a receive that gave up may free its
    // destination.
    void fill(Landing& landing, std::size_t offset, std::span<const std::byte> bytes);
    // Every byte of the message is in place: its receive may take it.
    void arrived(Landing landing);

    // A packet of several messages from `peer` (`bytes` allocated), held for
    // the messages that wait in it: counted whole against the peer's limit
    // until the last of them is taken. Throws like land().
    std::shared_ptr<const std::byte[]> hold_packet(int peer, std::shared_ptr<const std::byte[]> packet,
                                                   std::size_t bytes);
    // The message is `view`, inside `packet` (from hold_packet): it waits as
    // a view, with no copy. For a landing that is not direct.
    void arrived_in(Landing landing, std::shared_ptr<const std::byte[]> packet, std::span<const std::byte> view);

    // The oldest message with these chips and tag, handed to `consume` (false
    // when none has arrived). Throws when its size is not `bytes`.
    bool try_take(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                  const collectives::Transport::Consumer& consume);
    // The same, copied into `destination`; when nothing waits, `destination`
    // is kept as the landing place of the next such message (see above).
    bool try_take_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                       std::span<std::byte> destination);

    // Fails every later call with lpu::Error(reason) and forgets every
    // destination left by a receive.
    void abort(const std::string& reason);

    void set_limit(std::uint64_t limit_bytes_per_peer);
    std::uint64_t limit() const;
    // Messages waiting (not counting those landed straight in place).
    std::size_t pending() const;
    // Bytes counted against `peer`'s limit now.
    std::uint64_t waiting_bytes(int peer) const;

private:
    struct Waiting {
        int peer = 0;
        bool complete = false;
        std::vector<std::byte> own;            // its bytes, or
        std::shared_ptr<const std::byte[]> packet;  // the packet that holds them, and
        std::span<const std::byte> view;       // where they are
    };
    // A destination a receive left: its message has `arrived` once landed.
    struct Destination {
        std::span<std::byte> place;
        bool landing = false;  // a message is being written there
        bool arrived = false;
    };
    void throw_if_aborted() const;  // with mutex_ held
    void charge(int peer, std::size_t bytes, const Key* key);  // with mutex_ held; throws over the limit
    void refund(int peer, std::uint64_t bytes);                   // takes mutex_
    static std::uint64_t cost(std::size_t bytes) { return bytes + kMessageOverheadBytes; }

    mutable std::mutex mutex_;
    std::uint64_t limit_;
    Queue waiting_;  // equal keys in order of arrival of their headers
    std::map<Key, Destination> destinations_;
    std::map<int, std::uint64_t> charged_;  // by peer
    std::vector<std::vector<std::byte>> spare_;  // buffers of taken messages, capacity kept
    std::optional<std::string> abort_reason_;
};

}  // namespace lpu::launch
