#include "launch/tcp/endpoint.hpp"

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

}  // namespace lpu::launch::tcp
