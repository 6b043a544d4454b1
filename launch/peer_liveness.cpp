#include "launch/peer_liveness.hpp"

#include <cmath>
#include <cstdio>

#include "base/error.hpp"

namespace lpu::launch {

void validate(const PeerLiveness& liveness) {
    const double seconds = liveness.timeout_seconds;
    require(std::isfinite(seconds) && seconds >= kMinPeerTimeoutSeconds && seconds <= kMaxPeerTimeoutSeconds, [&] {
        char text[160];
        std::snprintf(text, sizeof text, "--peer-timeout %g: give seconds in [%g, %g]", seconds,
                      kMinPeerTimeoutSeconds, kMaxPeerTimeoutSeconds);
        return std::string(text);
    });
}

std::string timeout_text(const PeerLiveness& liveness) {
    char text[48];
    std::snprintf(text, sizeof text, "%g s", liveness.timeout_seconds);
    return text;
}

std::string silence_description(const PeerLiveness& liveness) {
    return "has sent nothing for " + timeout_text(liveness) + " (stopped or hung?)";
}

}  // namespace lpu::launch
