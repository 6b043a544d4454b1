#pragma once
// The liveness rule of a run spread over processes (MPI ranks or TCP
// workers): a peer that has sent nothing for `timeout` ends the job, naming
// it, and every process exits non-zero.
//
// What "sent nothing" means: every process sends a heartbeat to the peers
// that watch it every kHeartbeatInterval, from a thread of its own that never
// computes (the TCP event loop; the MPI watch thread). A peer that is busy
// with a long step, loading its weights or compiling its plan still beats;
// only one that is stopped (SIGSTOP, a debugger, a frozen host) or whose
// connection is cut falls silent. That is why the rule does not put a
// deadline on the waits themselves: a wait for a message may legitimately
// last as long as the sender computes, and a deadline on it would have to
// guess how long the slowest step of the largest model takes.
// (A peer that dies outright closes its connections, or is reported by the
// MPI launcher, long before the timeout.)
#include <chrono>
#include <string>

namespace lpu::launch {

// Heartbeats go out this often, so a timeout of at least kMinPeerTimeoutSeconds
// spans several of them.
inline constexpr std::chrono::milliseconds kHeartbeatInterval{250};
inline constexpr double kMinPeerTimeoutSeconds = 1.0;
inline constexpr double kMaxPeerTimeoutSeconds = 24 * 3600.0;

struct PeerLiveness {
    double timeout_seconds = 10.0;  // --peer-timeout

    std::chrono::steady_clock::duration timeout() const {
        return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(timeout_seconds));
    }
};

// Throws lpu::Error naming --peer-timeout when the timeout is outside
// [kMinPeerTimeoutSeconds, kMaxPeerTimeoutSeconds].
void validate(const PeerLiveness& liveness);

// "10 s": the timeout, for messages.
std::string timeout_text(const PeerLiveness& liveness);
// "has sent nothing for 10 s (stopped or hung?)", for messages that name the peer first.
std::string silence_description(const PeerLiveness& liveness);

}  // namespace lpu::launch
