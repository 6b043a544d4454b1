#pragma once
// "HOST:PORT" endpoints of workers. Workers listen on loopback unless asked:
// any other address is refused without --allow-remote, since a worker runs
// whatever plan its coordinator sends it.
#include <cstdint>
#include <string>

namespace lpu::launch::tcp {

struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
    std::string text() const { return host + ":" + std::to_string(port); }
};

// Throws lpu::Error on anything but HOST:PORT with a port in [0, 65535].
Endpoint parse_endpoint(const std::string& text);

bool is_loopback(const std::string& host);

}  // namespace lpu::launch::tcp
