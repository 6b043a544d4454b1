// The mailbox of messages from other processes (launch/remote_mailbox.hpp):
// messages of one key are taken in the order their headers arrived, a peer
// cannot leave more than the limit unreceived, and a waiting receive's
// destination gets its message with no buffer in between.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "base/error.hpp"
#include "launch/remote_mailbox.hpp"

namespace lpu::launch {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> bytes;
    for (int value : values) bytes.push_back(static_cast<std::byte>(value));
    return bytes;
}

// A message that arrives whole from `peer`, as the TCP transport fills one.
void deliver(RemoteMailbox& mailbox, int peer, const RemoteMailbox::Key& key, const std::vector<std::byte>& bytes) {
    RemoteMailbox::Landing landing = mailbox.land(peer, key, bytes.size());
    mailbox.fill(landing, 0, bytes);
    mailbox.arrived(std::move(landing));
}

std::vector<std::byte> take(RemoteMailbox& mailbox, const RemoteMailbox::Key& key, std::size_t size) {
    std::vector<std::byte> taken;
    const bool found = mailbox.try_take(key.dst, key.src, key.tag, size, [&](std::span<const std::byte> bytes) {
        taken.assign(bytes.begin(), bytes.end());
    });
    REQUIRE(found);
    return taken;
}

const RemoteMailbox::Key kKey{3, 1, 42};

}  // namespace

TEST_CASE("remote mailbox: one key twice is taken in arrival order, no barrier needed", "[launch][transport]") {
    RemoteMailbox mailbox;
    deliver(mailbox, 1, kKey, bytes_of({1, 1}));
    deliver(mailbox, 1, kKey, bytes_of({2, 2}));  // the next execution's, before the first was taken
    CHECK(mailbox.pending() == 2);
    CHECK(take(mailbox, kKey, 2) == bytes_of({1, 1}));
    CHECK(take(mailbox, kKey, 2) == bytes_of({2, 2}));
    CHECK(mailbox.pending() == 0);
    CHECK(mailbox.waiting_bytes(1) == 0);
}

TEST_CASE("remote mailbox: a message is taken in its header's turn, even when a later one is complete first",
          "[launch][transport]") {
    RemoteMailbox mailbox;
    RemoteMailbox::Landing first = mailbox.land(1, kKey, 2);  // its bytes are still on their way
    deliver(mailbox, 1, kKey, bytes_of({2, 2}));
    auto ignore = [](std::span<const std::byte>) {};
    CHECK_FALSE(mailbox.try_take(kKey.dst, kKey.src, kKey.tag, 2, ignore));
    mailbox.fill(first, 0, bytes_of({1, 1}));
    mailbox.arrived(std::move(first));
    CHECK(take(mailbox, kKey, 2) == bytes_of({1, 1}));
    CHECK(take(mailbox, kKey, 2) == bytes_of({2, 2}));
}

TEST_CASE("remote mailbox: a peer that leaves more than the limit unreceived is refused before allocation",
          "[launch][transport]") {
    RemoteMailbox mailbox(1000);
    deliver(mailbox, 1, kKey, std::vector<std::byte>(600));
    // Another 600 bytes from peer 1 would exceed 1000; peer 2 has its own budget.
    CHECK_THROWS_WITH(mailbox.land(1, {3, 1, 43}, 600),
                      Catch::Contains("bytes of messages nobody has received yet (limit 1000)"));
    deliver(mailbox, 2, {4, 1, 43}, std::vector<std::byte>(600));
    // A header that announces a gigabyte costs nothing before it is refused.
    CHECK_THROWS_WITH(mailbox.land(2, {4, 1, 44}, std::size_t{1} << 30), Catch::Contains("limit 1000"));
    // Taking a message gives its budget back.
    take(mailbox, kKey, 600);
    CHECK(mailbox.waiting_bytes(1) == 0);
    CHECK_NOTHROW(deliver(mailbox, 1, {3, 1, 43}, std::vector<std::byte>(600)));
}

TEST_CASE("remote mailbox: floods of tiny messages are bounded too", "[launch][transport]") {
    RemoteMailbox mailbox(100 * RemoteMailbox::kMessageOverheadBytes);
    int delivered = 0;
    try {
        for (collectives::Tag tag = 0; tag < 1000; ++tag, ++delivered) deliver(mailbox, 1, {3, 1, tag}, {});
    } catch (const Error&) {
    }
    CHECK(delivered == 100);
}

TEST_CASE("remote mailbox: a waiting receive's destination gets its message directly", "[launch][transport]") {
    RemoteMailbox mailbox;
    std::vector<std::byte> destination(3);
    CHECK_FALSE(mailbox.try_take_into(kKey.dst, kKey.src, kKey.tag, destination));
    RemoteMailbox::Landing landing = mailbox.land(1, kKey, 3);
    CHECK(landing.direct);
    CHECK(landing.destination.data() == destination.data());
    CHECK(mailbox.waiting_bytes(1) == 0);  // no buffer of its own
    mailbox.fill(landing, 0, bytes_of({7, 8}));
    CHECK_FALSE(mailbox.try_take_into(kKey.dst, kKey.src, kKey.tag, destination));  // half there
    mailbox.fill(landing, 2, bytes_of({9}));
    mailbox.arrived(std::move(landing));
    CHECK(mailbox.try_take_into(kKey.dst, kKey.src, kKey.tag, destination));
    CHECK(destination == bytes_of({7, 8, 9}));
    // A message of another size does not land there: the receive takes it and names the mismatch.
    CHECK_FALSE(mailbox.try_take_into(kKey.dst, kKey.src, kKey.tag, destination));
    deliver(mailbox, 1, kKey, bytes_of({1}));
    CHECK_THROWS_WITH(mailbox.try_take_into(kKey.dst, kKey.src, kKey.tag, destination),
                      Catch::Contains("holds 1 bytes, the receiver expects 3"));
}

TEST_CASE("remote mailbox: messages inside a packet wait as views, the packet counted until the last is taken",
          "[launch][transport]") {
    RemoteMailbox mailbox;
    auto storage = std::shared_ptr<std::byte[]>(new std::byte[8]);
    for (int i = 0; i < 8; ++i) storage[static_cast<std::size_t>(i)] = static_cast<std::byte>(i);
    const std::shared_ptr<const std::byte[]> held = mailbox.hold_packet(1, storage, 8);
    const std::uint64_t packet_cost = 8 + RemoteMailbox::kMessageOverheadBytes;
    CHECK(mailbox.waiting_bytes(1) == packet_cost);
    mailbox.arrived_in(mailbox.land(1, {3, 1, 1}, 4), held, std::span(held.get(), 4));
    mailbox.arrived_in(mailbox.land(1, {3, 1, 2}, 4), held, std::span(held.get() + 4, 4));
    storage.reset();
    const std::byte* seen = nullptr;
    CHECK(mailbox.try_take(1, 3, 2, 4, [&](std::span<const std::byte> bytes) { seen = bytes.data(); }));
    CHECK(seen == held.get() + 4);  // read from the packet itself
    CHECK(take(mailbox, {3, 1, 1}, 4) == bytes_of({0, 1, 2, 3}));
    CHECK(mailbox.waiting_bytes(1) == packet_cost);  // `held` here still holds it
}

TEST_CASE("remote mailbox: abort fails every later call and forgets destinations", "[launch][transport]") {
    RemoteMailbox mailbox;
    std::vector<std::byte> destination(2);
    CHECK_FALSE(mailbox.try_take_into(kKey.dst, kKey.src, kKey.tag, destination));
    RemoteMailbox::Landing landing = mailbox.land(1, kKey, 2);
    mailbox.abort("worker 2 failed");
    mailbox.fill(landing, 0, bytes_of({5, 5}));  // the receive gave up: nothing is written
    CHECK(destination == bytes_of({0, 0}));
    CHECK_THROWS_WITH(mailbox.land(1, kKey, 2), Catch::Contains("worker 2 failed"));
}

}  // namespace lpu::launch
