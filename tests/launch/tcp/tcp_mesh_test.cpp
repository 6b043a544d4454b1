// Two processes' meshes in one test, joined by a loopback connection: the
// TCP transport between their chips (launch/tcp/tcp_transport.hpp), and the
// ways a peer fails (launch/tcp/tcp_mesh.hpp): silent, stopped inside a
// frame, over its mailbox limit, gone without a goodbye. (A goodbye before
// leaving is no failure: every run of tests/launch/tcp ends that way.)
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <asio.hpp>

#include "base/error.hpp"
#include "launch/tcp/run_protocol.hpp"
#include "launch/tcp/tcp_mesh.hpp"
#include "launch/tcp/tcp_transport.hpp"

namespace lpu::launch::tcp {
namespace {

// Both ends of a loopback connection.
struct SocketPair {
    SocketPair() {
        asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        first.connect(acceptor.local_endpoint());
        acceptor.accept(second);
    }
    asio::io_context io;
    asio::ip::tcp::socket first{io};
    asio::ip::tcp::socket second{io};
};

// Rank 0 and rank 1, with chip 0 on rank 0 and chip 1 on rank 1.
struct TwoProcesses {
    explicit TwoProcesses(double timeout_seconds = 10.0, std::uint64_t mailbox_limit = RemoteMailbox::kDefaultLimitBytes)
        : live{timeout_seconds}, a(0, live, inbox_a), b(1, live, inbox_b) {
        a.add_peer(1, std::move(pair.first), "rank 1");
        b.add_peer(0, std::move(pair.second), "rank 0");
        to.emplace(a, std::vector<int>{0, 1});
        from.emplace(b, std::vector<int>{0, 1}, mailbox_limit);
    }
    PeerLiveness live;
    SocketPair pair;
    RunInbox inbox_a{0}, inbox_b{1};
    TcpMesh a, b;
    std::optional<TcpTransport> to, from;  // rank 0's and rank 1's
};

std::span<const std::byte> bytes_of(const std::vector<float>& values) { return std::as_bytes(std::span(values)); }

std::vector<float> received(TcpTransport& transport, collectives::Tag tag, std::size_t floats) {
    std::vector<float> values(floats);
    transport.recv_into(1, 0, tag, std::as_writable_bytes(std::span(values)));
    return values;
}

}  // namespace

TEST_CASE("TCP transport: a flush sends a run of messages; they arrive whole, in order per tag, "
          "and straight into a receive that waits",
          "[launch][tcp]") {
    TwoProcesses run;
    std::vector<float> waiting(1000);
    CHECK_FALSE(run.from->try_recv_into(1, 0, 7, std::as_writable_bytes(std::span(waiting))));
    const std::vector<float> x(1000, 2.5f), y(10, 1.0f), z(10, 3.0f);
    run.to->send_copy(0, 1, 7, bytes_of(x));
    run.to->send_copy(0, 1, 8, bytes_of(y));
    run.to->send_copy(0, 1, 8, bytes_of(z));  // the same tag again: the next step's
    run.to->flush();
    CHECK(received(*run.from, 8, 10) == y);  // everything before it has arrived too
    CHECK(run.from->pending() == 1);          // z waits; x went straight into `waiting`
    CHECK(run.from->try_recv_into(1, 0, 7, std::as_writable_bytes(std::span(waiting))));
    CHECK(waiting == x);
    CHECK(received(*run.from, 8, 10) == z);
    CHECK(run.from->pending() == 0);
}

TEST_CASE("TCP mesh: a peer that sends nothing, not even heartbeats, fails the run naming it", "[launch][tcp]") {
    PeerLiveness live{1.0};
    RunInbox inbox(1);
    TcpMesh mesh(1, live, inbox);
    SocketPair pair;  // pair.first stays silent: a stopped process
    mesh.add_peer(0, std::move(pair.second), "the coordinator");
    CHECK_THROWS_WITH(mesh.wait_until([] { return false; }),
                      "the coordinator has sent nothing for 1 s (stopped or hung?)");
}

TEST_CASE("TCP mesh: a peer stopped inside a frame fails the run, saying so", "[launch][tcp]") {
    PeerLiveness live{1.0};
    RunInbox inbox(1);
    TcpMesh mesh(1, live, inbox);
    SocketPair pair;
    const std::vector<std::byte> half{std::byte{64}, {}, {}, {}, {}, {}, {}, {}, std::byte{1}, std::byte{2}};
    asio::write(pair.first, asio::buffer(half));
    mesh.add_peer(0, std::move(pair.second), "the coordinator");
    CHECK_THROWS_WITH(mesh.wait_until([] { return false; }), Catch::Contains("in the middle of a frame"));
}

TEST_CASE("TCP mesh: a peer over its mailbox limit fails the run here, and is told why", "[launch][tcp]") {
    TwoProcesses run(10.0, std::uint64_t{1} << 20);
    const std::vector<float> block(200'000, 1.0f);  // 800 kB
    run.to->send_copy(0, 1, 1, bytes_of(block));
    run.to->send_copy(0, 1, 2, bytes_of(block));  // nobody receives either
    run.to->flush();
    CHECK_THROWS_WITH(run.b.wait_until([] { return false; }),
                      Catch::Contains("rank 0: a message chip 0 -> chip 1 tag 2 (800000 bytes) would leave") &&
                          Catch::Contains("(limit 1048576)"));
    CHECK_THROWS_WITH(run.a.wait_until([] { return false; }), Catch::StartsWith("rank 1 failed: a message chip 0"));
}

TEST_CASE("TCP mesh: a peer that leaves without a goodbye fails the run naming it", "[launch][tcp]") {
    PeerLiveness live{10.0};
    RunInbox inbox(1);
    TcpMesh mesh(1, live, inbox);
    {
        SocketPair pair;
        mesh.add_peer(0, std::move(pair.second), "the coordinator");
    }  // pair.first closes: the process is gone
    CHECK_THROWS_WITH(mesh.wait_until([] { return false; }), "the coordinator closed the connection");
}

}  // namespace lpu::launch::tcp
