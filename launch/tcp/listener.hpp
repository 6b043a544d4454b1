#pragma once
// A worker's listening socket, and the openings on it. A connection is served
// only once its first frame (its opening: a job, or a hello from a worker of
// the same run) has arrived whole within the peer timeout and been accepted.
// Anything else is dropped with a warning on stderr, and the listener goes on
// listening: a connection that sends nothing, half a frame, a frame too large
// or not of this protocol, a message of another kind, or an opening the
// caller refuses. So a stray connection can neither take a worker over nor
// end it, and a slow or silent one does not hold up the others (each
// connection is read on its own, concurrently, and one whose opening is
// still arriving when a call returns goes on at the next). The opening is read exactly:
// nothing after it is taken from the socket. An opening that comes early (a
// worker's hello while this one still waits for its job) can be kept for a
// later call instead.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio.hpp>

#include "launch/peer_liveness.hpp"
#include "launch/tcp/endpoint.hpp"
#include "launch/tcp/frame.hpp"

namespace lpu::launch::tcp {

class Listener {
public:
    explicit Listener(const Endpoint& endpoint);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    std::uint16_t port() const;

    struct Opening {
        asio::ip::tcp::socket socket;
        Frame frame;
        std::string from;  // the peer's address, for messages
    };
    // Whether an opening is taken now, kept for a later call, or refused
    // (by throwing lpu::Error saying why); `refused` then may answer the peer
    // on the socket before it is dropped (so may it when the opening is not a
    // valid frame).
    enum class Verdict { take, later };
    using Accept = std::function<Verdict(Frame& frame)>;
    using Refused = std::function<void(asio::ip::tcp::socket& socket, const std::string& why)>;

    // The next connection whose opening `accept` takes, among those kept
    // from earlier calls first. Waits as long as it takes without a deadline;
    // with one, throws lpu::Error saying it waited for `waiting_for` in vain.
    Opening next(const Accept& accept, const Refused& refused, const PeerLiveness& liveness,
                 std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt,
                 const std::string& waiting_for = "");

    // Openings kept for later at most; more are dropped.
    static constexpr std::size_t kMaxKept = 64;

private:
    struct Pending;
    // The event loop runs only inside next(); connections whose opening is
    // still arriving when it returns go on at the next call.
    void accept_next();
    void read(const std::shared_ptr<Pending>& pending);
    void offer(Opening opening);  // to the current call's `accept`
    void drop(Pending& pending, const std::string& why);

    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer deadline_;
    bool accepting_ = false;
    std::vector<Opening> kept_;
    // The current call of next():
    const Accept* accept_ = nullptr;
    const Refused* refused_ = nullptr;
    PeerLiveness liveness_;
    std::optional<Opening> opened_;
    std::uint64_t call_ = 0;
};

}  // namespace lpu::launch::tcp
