#include "launch/tcp/tcp_mesh.hpp"

#include <functional>

#include "base/error.hpp"

namespace lpu::launch::tcp {
namespace {

// How long closing waits for the peers to end their sides too.
constexpr std::chrono::seconds kCloseTimeout{1};

}  // namespace

TcpMesh::TcpMesh(int rank, const PeerLiveness& liveness, MessageHandler& protocol)
    : rank_(rank), liveness_(liveness), protocol_(protocol), work_(asio::make_work_guard(io_)), timer_(io_) {
    timer_.expires_after(kHeartbeatInterval);
    timer_.async_wait([this](const asio::error_code& error) {
        if (!error) watch();
    });
    loop_ = std::thread([this] { io_.run(); });
}

TcpMesh::~TcpMesh() {
    closing_ = true;
    asio::post(io_, [this] {
        std::lock_guard lock(peers_mutex_);
        for (auto& [rank, peer] : peers_) peer.connection->finish();
    });
    // On the loop: close once every peer has ended its side too, or after kCloseTimeout.
    asio::steady_timer closing(io_);
    const auto deadline = std::chrono::steady_clock::now() + kCloseTimeout;
    std::function<void()> check = [&] {
        bool all_closed = true;
        {
            std::lock_guard lock(peers_mutex_);
            for (const auto& [rank, peer] : peers_) all_closed = all_closed && peer.connection->closed();
        }
        if (all_closed || std::chrono::steady_clock::now() > deadline) {
            std::lock_guard lock(peers_mutex_);
            for (auto& [rank, peer] : peers_) peer.connection->close();
            timer_.cancel();
            work_.reset();
            return;
        }
        closing.expires_after(std::chrono::milliseconds(5));
        closing.async_wait([&](const asio::error_code&) { check(); });
    };
    asio::post(io_, [&] { check(); });
    loop_.join();
}

void TcpMesh::add_peer(int peer_rank, asio::ip::tcp::socket socket, const std::string& name) {
    // The socket moves onto this mesh's event loop.
    const auto protocol = socket.local_endpoint().protocol();
    asio::ip::tcp::socket own(io_, protocol, socket.release());
    auto connection = std::make_unique<Connection>(peer_rank, name, std::move(own), static_cast<Connection::Owner&>(*this));
    Connection& added = *connection;
    {
        std::lock_guard lock(peers_mutex_);
        require(peers_.emplace(peer_rank, Peer{std::move(connection), false}).second,
                [&] { return "rank " + std::to_string(peer_rank) + " connected twice"; });
    }
    asio::post(io_, [&added] { added.start(); });
}

Connection& TcpMesh::connection(int peer_rank) const {
    std::lock_guard lock(peers_mutex_);
    const auto found = peers_.find(peer_rank);
    require(found != peers_.end(), [&] { return "no connection to rank " + std::to_string(peer_rank); });
    return *found->second.connection;
}

const std::string& TcpMesh::name_of(int peer_rank) const { return connection(peer_rank).name(); }

std::vector<int> TcpMesh::peers() const {
    std::lock_guard lock(peers_mutex_);
    std::vector<int> ranks;
    for (const auto& [rank, peer] : peers_) ranks.push_back(rank);
    return ranks;
}

void TcpMesh::set_chip_handler(ChipMessageHandler* handler) {
    std::lock_guard lock(chips_mutex_);
    chips_ = handler;
}

void TcpMesh::append(int peer_rank, capnp::MessageBuilder& message, std::span<const std::byte> payload) {
    throw_if_failed();
    connection(peer_rank).append(message, payload);
}

void TcpMesh::send(int peer_rank, capnp::MessageBuilder& message) {
    Connection& to = connection(peer_rank);
    throw_if_failed();
    to.append(message);
    to.flush();
}

void TcpMesh::flush() {
    std::lock_guard lock(peers_mutex_);
    for (auto& [rank, peer] : peers_) peer.connection->flush();
}

void TcpMesh::say_goodbye() {
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().setDone();
    std::lock_guard lock(peers_mutex_);
    for (auto& [rank, peer] : peers_) {
        peer.connection->append(message);
        peer.connection->flush();  // a peer that is gone needs no goodbye: a failed write only breaks its connection
    }
}

void TcpMesh::abort_all(const std::string& reason) {
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().setAbort(reason);
    {
        std::lock_guard lock(peers_mutex_);
        for (auto& [rank, peer] : peers_) {
            peer.connection->append(message);
            peer.connection->flush();  // the peer may be the one that is gone; the others still hear of it
        }
    }
    fail(reason);
}

void TcpMesh::fail(const std::string& reason) {
    {
        std::lock_guard lock(wait_mutex_);
        if (failure_) return;
        failure_ = reason;
        failed_ = true;
    }
    {
        std::lock_guard lock(chips_mutex_);
        if (chips_) chips_->on_failure(reason);
    }
    notify();
}

void TcpMesh::throw_if_failed() const {
    if (!failed_.load()) return;
    std::lock_guard lock(wait_mutex_);
    throw Error(*failure_);
}

void TcpMesh::notify() {
    version_.fetch_add(1);
    if (sleepers_.load() == 0) return;  // nobody to wake: no system call
    { std::lock_guard lock(wait_mutex_); }
    changed_.notify_all();
}

void TcpMesh::wait_for_change(std::uint64_t seen) {
    std::unique_lock lock(wait_mutex_);
    ++sleepers_;
    changed_.wait(lock, [&] { return version_.load() != seen || failed_.load(); });
    --sleepers_;
}

void TcpMesh::watch() {
    if (closing_) return;
    const auto now = Connection::Clock::now();
    capnp::MallocMessageBuilder heartbeat;
    heartbeat.initRoot<schema::WireMessage>().setHeartbeat();
    std::vector<std::string> silent;
    {
        std::lock_guard lock(peers_mutex_);
        for (auto& [rank, peer] : peers_) {
            Connection& connection = *peer.connection;
            if (peer.goodbye || connection.closed()) continue;
            if (now - connection.last_write() >= kHeartbeatInterval) {
                connection.append(heartbeat);
                connection.flush();
            }
            if (now - connection.last_read() > liveness_.timeout()) {
                silent.push_back(connection.name() + " " + silence_description(liveness_) +
                                 (connection.mid_frame() ? ", in the middle of a frame" : ""));
            }
        }
    }
    if (!silent.empty()) fail(silent.front());
    timer_.expires_after(kHeartbeatInterval);
    timer_.async_wait([this](const asio::error_code& error) {
        if (!error) watch();
    });
}

void TcpMesh::on_message(Connection& from, Frame& frame) {
    if (closing_) return;
    const auto message = frame.message();
    read_fields("message", [&] {
        switch (message.which()) {
            case schema::WireMessage::HEARTBEAT: return;
            case schema::WireMessage::ABORT: return fail(from.name() + " failed: " + message.getAbort().cStr());
            case schema::WireMessage::CHIP_MESSAGE: {
                // (What a handler throws is told with the peer's name first: Connection::read.)
                std::lock_guard lock(chips_mutex_);
                require(chips_ != nullptr, "a chip message before the run began");
                chips_->on_chip_message(from.rank(), message.getChipMessage());
                return;
            }
            case schema::WireMessage::DONE: {
                std::lock_guard lock(peers_mutex_);
                peers_.at(from.rank()).goodbye = true;
                break;
            }
            default: break;
        }
        protocol_.on_message(from.rank(), message);
    });
    notify();
}

void TcpMesh::on_payload(Connection& from, std::span<const std::byte> piece) {
    if (closing_) return;
    std::lock_guard lock(chips_mutex_);
    require(chips_ != nullptr, "a chip message after the run");
    chips_->on_payload(from.rank(), piece);
}

void TcpMesh::on_payload_end(Connection& from) {
    if (closing_) return;
    {
        std::lock_guard lock(chips_mutex_);
        require(chips_ != nullptr, "a chip message after the run");
        chips_->on_payload_end(from.rank());
    }
    notify();
}

void TcpMesh::on_broken(Connection& connection, const std::string& why) {
    if (closing_) return;  // connections end when the run is over
    {
        std::lock_guard lock(peers_mutex_);
        if (peers_.at(connection.rank()).goodbye) return;
    }
    fail(why);
}

}  // namespace lpu::launch::tcp
