#pragma once
// "HOST:PORT" endpoints of workers, and connecting to one. Workers listen on
// loopback unless asked: any other address is refused without
// --allow-remote, since a worker runs whatever plan its coordinator sends it.
#include <chrono>
#include <cstdint>
#include <string>

#include <asio.hpp>

namespace lpu::launch::tcp {

struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
    std::string text() const { return host + ":" + std::to_string(port); }
};

// Throws lpu::Error on anything but HOST:PORT with a port in [0, 65535].
Endpoint parse_endpoint(const std::string& text);

bool is_loopback(const std::string& host);

// The host part, with the loopback names made one, so that two endpoints on
// the same machine compare equal ("localhost:7001", "127.0.0.1:7002").
std::string host_key(const Endpoint& endpoint);

// Connects to `endpoint`, retrying while it refuses (it may still be
// starting) until `deadline`. Throws lpu::Error naming `name` and why (the
// host is unknown, it refused, it could not be reached).
asio::ip::tcp::socket connect_to(asio::io_context& io, const Endpoint& endpoint, const std::string& name,
                                 std::chrono::steady_clock::time_point deadline);

}  // namespace lpu::launch::tcp
