#include "launch/tcp/endpoint.hpp"

#include <thread>

#include "base/error.hpp"

namespace lpu::launch::tcp {

Endpoint parse_endpoint(const std::string& text) {
    const auto colon = text.rfind(':');
    require(colon != std::string::npos && colon > 0 && colon + 1 < text.size(),
            "'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:7000)");
    const std::string port = text.substr(colon + 1);
    require(port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5,
            "'" + text + "': the port must be a number");
    const long value = std::stol(port);
    require(value <= 65535, "'" + text + "': the port must be at most 65535");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host, static_cast<std::uint16_t>(value)};
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string host_key(const Endpoint& endpoint) { return is_loopback(endpoint.host) ? "loopback" : endpoint.host; }

asio::ip::tcp::socket connect_to(asio::io_context& io, const Endpoint& endpoint, const std::string& name,
                                 std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        asio::error_code error;
        const auto addresses = asio::ip::tcp::resolver(io).resolve(endpoint.host, std::to_string(endpoint.port), error);
        if (error) throw Error("cannot reach " + name + ": " + error.message());  // an unknown host stays unknown
        asio::ip::tcp::socket socket(io);
        asio::connect(socket, addresses, error);
        if (!error) return socket;
        if (error != asio::error::connection_refused || std::chrono::steady_clock::now() > deadline) {
            throw Error("cannot reach " + name + ": " + error.message());
        }
        // Condition (the peer listens) checked again shortly: retrying a refused connect is the wait.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace lpu::launch::tcp
