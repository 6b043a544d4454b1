#include "launch/remote_mailbox.hpp"

#include <cstring>

#include "base/error.hpp"

namespace lpu::launch {
namespace {

// Buffers kept for reuse: enough for the messages of a step in flight, few
// enough that a burst of large ones is given back.
constexpr std::size_t kSpareBuffers = 32;

std::string message_name(const RemoteMailbox::Key& key) {
    return "message chip " + std::to_string(key.src) + " -> chip " + std::to_string(key.dst) + " tag " +
           std::to_string(key.tag);
}

}  // namespace

RemoteMailbox::RemoteMailbox(std::uint64_t limit_bytes_per_peer) : limit_(limit_bytes_per_peer) {}

RemoteMailbox::~RemoteMailbox() {
    Queue dropped;
    {
        std::lock_guard lock(mutex_);
        dropped.swap(waiting_);
    }
    // Packets are released here, outside the lock their release takes.
}

void RemoteMailbox::throw_if_aborted() const {
    if (abort_reason_) throw Error("transport aborted: " + *abort_reason_);
}

void RemoteMailbox::charge(int peer, std::size_t bytes, const Key* key) {
    std::uint64_t& charged = charged_[peer];
    require(charged + cost(bytes) <= limit_, [&] {
        const std::string what = key ? message_name(*key) : std::string("packet");
        return "a " + what + " (" + std::to_string(bytes) + " bytes) would leave " +
               std::to_string(charged + cost(bytes)) + " bytes of messages nobody has received yet (limit " +
               std::to_string(limit_) + ")";
    });
    charged += cost(bytes);
}

void RemoteMailbox::refund(int peer, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    const auto found = charged_.find(peer);
    if (found != charged_.end()) found->second -= std::min(found->second, bytes);
}

RemoteMailbox::Landing RemoteMailbox::land(int peer, const Key& key, std::size_t bytes) {
    std::lock_guard lock(mutex_);
    throw_if_aborted();
    Landing landing{key, peer, bytes, false, {}, {}, waiting_.end()};
    // A destination takes the message when no older one of its key is on its
    // way (the receive would then have to take that one first).
    const auto found = destinations_.find(key);
    const auto older = waiting_.lower_bound(key);
    const bool older_waits = older != waiting_.end() && older->first == key;
    if (found != destinations_.end() && !found->second.landing && !found->second.arrived && !older_waits &&
        found->second.place.size() == bytes) {
        found->second.landing = true;
        landing.direct = true;
        landing.destination = found->second.place;
        return landing;
    }
    charge(peer, bytes, &key);
    landing.entry = waiting_.emplace(key, Waiting{peer, false, {}, {}, {}});  // after equal keys: its turn
    if (!spare_.empty()) {
        landing.buffer = std::move(spare_.back());
        spare_.pop_back();
        landing.buffer.clear();
    }
    return landing;
}

std::span<std::byte> RemoteMailbox::place(Landing& landing) {
    if (landing.direct) return landing.destination;
    landing.buffer.resize(landing.size);
    return landing.buffer;
}

void RemoteMailbox::fill(Landing& landing, std::size_t offset, std::span<const std::byte> bytes) {
    require(offset + bytes.size() <= landing.size, [&] {
        return message_name(landing.key) + " of " + std::to_string(landing.size) + " bytes was given " +
               std::to_string(offset + bytes.size());
    });
    if (bytes.empty()) return;
    if (!landing.direct) {
        if (landing.buffer.size() < offset + bytes.size()) landing.buffer.resize(offset + bytes.size());
        std::memcpy(landing.buffer.data() + offset, bytes.data(), bytes.size());
        return;
    }
    std::lock_guard lock(mutex_);  // a receive that gave up (abort) may free its destination
    if (abort_reason_) return;
    std::memcpy(landing.destination.data() + offset, bytes.data(), bytes.size());
}

void RemoteMailbox::arrived(Landing landing) {
    std::lock_guard lock(mutex_);
    throw_if_aborted();
    if (landing.direct) {
        destinations_.at(landing.key).arrived = true;
        return;
    }
    landing.buffer.resize(landing.size);
    landing.entry->second.own = std::move(landing.buffer);
    landing.entry->second.view = landing.entry->second.own;
    landing.entry->second.complete = true;
}

std::shared_ptr<const std::byte[]> RemoteMailbox::hold_packet(int peer, std::shared_ptr<const std::byte[]> packet,
                                                              std::size_t bytes) {
    {
        std::lock_guard lock(mutex_);
        throw_if_aborted();
        charge(peer, bytes, nullptr);
    }
    // Refunds the peer when the last message in the packet has been taken.
    struct Held {
        Held(std::shared_ptr<const std::byte[]> held_packet, RemoteMailbox& owner, int from, std::uint64_t bytes)
            : packet(std::move(held_packet)), mailbox(owner), peer(from), charged(bytes) {}
        Held(const Held&) = delete;
        Held& operator=(const Held&) = delete;
        ~Held() { mailbox.refund(peer, charged); }
        std::shared_ptr<const std::byte[]> packet;
        RemoteMailbox& mailbox;
        int peer;
        std::uint64_t charged;
    };
    auto held = std::make_shared<Held>(std::move(packet), *this, peer, cost(bytes));
    const std::byte* data = held->packet.get();
    return std::shared_ptr<const std::byte[]>(held, data);
}

void RemoteMailbox::arrived_in(Landing landing, std::shared_ptr<const std::byte[]> packet, std::span<const std::byte> view) {
    require(!landing.direct && view.size() == landing.size, [&] {
        return message_name(landing.key) + ": a view of " + std::to_string(view.size()) + " bytes for " +
               std::to_string(landing.size);
    });
    std::lock_guard lock(mutex_);
    throw_if_aborted();
    landing.entry->second.packet = std::move(packet);
    landing.entry->second.view = view;
    landing.entry->second.complete = true;
}

bool RemoteMailbox::try_take(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                             const collectives::Transport::Consumer& consume) {
    const Key key{src, dst, tag};
    Waiting message;
    {
        std::lock_guard lock(mutex_);
        throw_if_aborted();
        const auto oldest = waiting_.lower_bound(key);
        if (oldest == waiting_.end() || oldest->first != key || !oldest->second.complete) return false;
        message = std::move(oldest->second);
        waiting_.erase(oldest);
        std::uint64_t& charged = charged_[message.peer];
        charged -= std::min(charged, cost(message.view.size()));
    }
    require(message.view.size() == bytes, [&] {
        return message_name(key) + " holds " + std::to_string(message.view.size()) + " bytes, the receiver expects " +
               std::to_string(bytes);
    });
    consume(message.view);
    if (!message.own.empty()) {
        std::lock_guard lock(mutex_);
        if (spare_.size() < kSpareBuffers) spare_.push_back(std::move(message.own));
    }
    return true;  // a packet is released here, outside the lock its release takes
}

bool RemoteMailbox::try_take_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                                  std::span<std::byte> destination) {
    const Key key{src, dst, tag};
    {
        std::lock_guard lock(mutex_);
        throw_if_aborted();
        const auto oldest = waiting_.lower_bound(key);
        const bool waits = oldest != waiting_.end() && oldest->first == key;
        const auto found = destinations_.find(key);
        if (found != destinations_.end()) {
            Destination& left = found->second;
            require(left.place.data() == destination.data() && left.place.size() == destination.size(),
                    [&] { return message_name(key) + " is awaited in two places"; });
            if (left.arrived) {
                destinations_.erase(found);
                return true;
            }
            // A message that did not land there (one of another size) is taken, and fails on its size.
            if (left.landing || !waits) return false;
            destinations_.erase(found);
        } else if (!waits) {
            destinations_.emplace(key, Destination{destination, false, false});
            return false;
        }
    }
    return try_take(dst, src, tag, destination.size(), collectives::Transport::copy_into(destination));
}

void RemoteMailbox::abort(const std::string& reason) {
    Queue dropped;
    {
        std::lock_guard lock(mutex_);
        if (!abort_reason_) abort_reason_ = reason;
        destinations_.clear();
        dropped.swap(waiting_);
    }
}

void RemoteMailbox::set_limit(std::uint64_t limit_bytes_per_peer) {
    std::lock_guard lock(mutex_);
    limit_ = limit_bytes_per_peer;
}

std::uint64_t RemoteMailbox::limit() const {
    std::lock_guard lock(mutex_);
    return limit_;
}

std::size_t RemoteMailbox::pending() const {
    std::lock_guard lock(mutex_);
    return waiting_.size();
}

std::uint64_t RemoteMailbox::waiting_bytes(int peer) const {
    std::lock_guard lock(mutex_);
    const auto found = charged_.find(peer);
    return found == charged_.end() ? 0 : found->second;
}

}  // namespace lpu::launch
