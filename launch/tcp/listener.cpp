#include "launch/tcp/listener.hpp"

#include "base/error.hpp"
#include "base/log.hpp"

namespace lpu::launch::tcp {

using asio::ip::tcp;

// A connection whose opening is being read. Its handlers hold it (shared), so
// it lives as long as one of its operations is queued, across calls of next().
struct Listener::Pending final : FrameReader::Handler {
    explicit Pending(asio::io_context& io) : socket(io), timer(io) {}
    void on_message(Frame& message) override { frame.emplace(std::move(message)); }
    void on_payload(std::span<const std::byte>) override {}
    void on_payload_end() override {}

    tcp::socket socket;
    asio::steady_timer timer;
    FrameReader reader;
    std::vector<std::byte> buffer = std::vector<std::byte>(std::size_t{64} << 10);
    std::optional<Frame> frame;
    std::string from = "an unknown address";
    bool over = false;  // taken, kept or dropped
};

Listener::Listener(const Endpoint& endpoint) : acceptor_(io_), deadline_(io_) {
    asio::error_code error;
    const auto address = asio::ip::make_address(endpoint.host, error);
    require(!error, "--listen " + endpoint.text() + ": '" + endpoint.host + "' is not an IP address");
    const tcp::endpoint local(address, endpoint.port);
    acceptor_.open(local.protocol(), error);
    if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_.bind(local, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    require(!error, [&] { return "cannot listen on " + endpoint.text() + ": " + error.message(); });
}

Listener::~Listener() = default;

std::uint16_t Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::accept_next() {
    auto pending = std::make_shared<Pending>(io_);
    acceptor_.async_accept(pending->socket, [this, pending](const asio::error_code& error) {
        accept_next();
        if (error) return drop(*pending, "accepting failed: " + error.message());
        asio::error_code ignored;
        const auto remote = pending->socket.remote_endpoint(ignored);
        if (!ignored) pending->from = remote.address().to_string() + ":" + std::to_string(remote.port());
        pending->timer.expires_after(liveness_.timeout());
        pending->timer.async_wait([this, pending](const asio::error_code& expired) {
            if (!expired && !pending->over) drop(*pending, "it sent no whole opening within " + timeout_text(liveness_));
        });
        read(pending);
    });
}

void Listener::read(const std::shared_ptr<Pending>& pending) {
    // Only as much as the opening still needs: what follows it is the mesh's.
    const std::size_t wanted = std::min(pending->reader.wanted(), pending->buffer.size());
    pending->socket.async_read_some(asio::buffer(pending->buffer.data(), wanted),
                                    [this, pending](const asio::error_code& error, std::size_t bytes) {
        if (pending->over) return;
        if (error) return drop(*pending, error == asio::error::eof ? "closed before its opening" : error.message());
        try {
            pending->reader.feed(std::span(pending->buffer.data(), bytes), *pending);
        } catch (const std::exception& e) {
            if (*refused_) (*refused_)(pending->socket, e.what());  // a peer of another version learns why
            return drop(*pending, e.what());
        }
        if (!pending->frame) return read(pending);
        pending->over = true;
        pending->timer.cancel();
        offer(Opening{std::move(pending->socket), std::move(*pending->frame), pending->from});
    });
}

void Listener::offer(Opening opening) {
    Verdict verdict = Verdict::take;
    try {
        verdict = (*accept_)(opening.frame);
        require(verdict == Verdict::take || kept_.size() < kMaxKept, "too many connections wait for later");
    } catch (const std::exception& e) {
        if (*refused_) (*refused_)(opening.socket, e.what());
        log::get("launch")->warn("dropped the connection from {}: {}", opening.from, e.what());
        return;
    }
    if (verdict == Verdict::later) return kept_.push_back(std::move(opening));
    opened_.emplace(std::move(opening));
    io_.stop();  // next() returns it; every other connection goes on where it is
}

void Listener::drop(Pending& pending, const std::string& why) {
    log::get("launch")->warn("dropped the connection from {}: {}", pending.from, why);
    pending.over = true;
    pending.timer.cancel();
    asio::error_code ignored;
    pending.socket.close(ignored);
}

Listener::Opening Listener::next(const Accept& accept, const Refused& refused, const PeerLiveness& liveness,
                                 std::optional<std::chrono::steady_clock::time_point> deadline,
                                 const std::string& waiting_for) {
    accept_ = &accept;
    refused_ = &refused;
    liveness_ = liveness;
    opened_.reset();
    // The openings kept from earlier calls first, in the order they came.
    std::vector<Opening> kept;
    kept.swap(kept_);
    for (auto& opening : kept) {
        if (!opened_) offer(std::move(opening));
        else kept_.push_back(std::move(opening));
    }
    if (opened_) return std::move(*opened_);
    if (!accepting_) {
        accepting_ = true;
        accept_next();
    }
    const std::uint64_t call = ++call_;
    if (deadline) {
        deadline_.expires_at(*deadline);
        deadline_.async_wait([this, call](const asio::error_code& error) {
            if (!error && call == call_) io_.stop();
        });
    }
    io_.restart();
    io_.run();  // until an opening is taken or the deadline passed (io_.stop)
    deadline_.cancel();
    require(opened_.has_value(), [&] { return "no " + waiting_for + " connected in time"; });
    return std::move(*opened_);
}

}  // namespace lpu::launch::tcp
