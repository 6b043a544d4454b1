#include "launch/tcp/tcp_mesh.hpp"

#include <cstring>

#include "base/error.hpp"
#include "base/log.hpp"

namespace lpu::launch::tcp {

TcpMesh::TcpMesh(int rank, std::uint64_t max_frame_bytes) : rank_(rank), max_frame_bytes_(max_frame_bytes) {}

TcpMesh::~TcpMesh() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    for (auto& [rank, peer] : peers_) {
        asio::error_code ignored;
        peer->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        peer->socket.close(ignored);
    }
    for (auto& [rank, peer] : peers_) {
        if (peer->reader.joinable()) peer->reader.join();
    }
}

void TcpMesh::add_peer(int peer_rank, asio::ip::tcp::socket socket, const std::string& name) {
    auto peer = std::make_unique<Peer>(peer_rank, name, std::move(socket));
    peer->socket.set_option(asio::ip::tcp::no_delay(true));
    Peer& added = *peer;
    require(peers_.emplace(peer_rank, std::move(peer)).second, "rank " + std::to_string(peer_rank) + " connected twice");
    added.reader = std::thread([this, &added] { read_loop(added); });
}

void TcpMesh::send(int peer_rank, capnp::MessageBuilder& message) {
    const auto found = peers_.find(peer_rank);
    require(found != peers_.end(), [&] { return "no connection to rank " + std::to_string(peer_rank); });
    Peer& peer = *found->second;
    {
        std::lock_guard lock(mutex_);
        throw_if_failed();
    }
    std::lock_guard lock(peer.write_mutex);
    write_frame(peer.socket, message, peer.name);
}

void TcpMesh::abort_all(const std::string& reason) {
    for (auto& [rank, peer] : peers_) {
        try {
            capnp::MallocMessageBuilder message;
            message.initRoot<schema::WireMessage>().setAbort(reason);
            std::lock_guard lock(peer->write_mutex);
            write_frame(peer->socket, message, peer->name);
        } catch (const std::exception&) {
            // The peer may be the one that is gone; the others still hear of it.
        }
    }
    fail(reason);
}

void TcpMesh::say_goodbye() {
    for (auto& [rank, peer] : peers_) {
        try {
            capnp::MallocMessageBuilder message;
            message.initRoot<schema::WireMessage>().setDone();
            std::lock_guard lock(peer->write_mutex);
            write_frame(peer->socket, message, peer->name);
        } catch (const std::exception&) {
            // A peer that is gone needs no goodbye.
        }
    }
}

void TcpMesh::fail(const std::string& reason) {
    {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = reason;
    }
    mailbox_.abort(reason);
    changed_.notify_all();
}

void TcpMesh::throw_if_failed() const {
    if (failure_) throw Error(*failure_);
}

void TcpMesh::read_loop(Peer& peer) {
    try {
        for (;;) {
            Frame frame = read_frame(peer.socket, peer.name, max_frame_bytes_);
            const auto message = frame.message();
            switch (message.which()) {
                case schema::WireMessage::CHIP_MESSAGE: {
                    const auto chip = message.getChipMessage();
                    const auto bytes = chip.getBytes();
                    std::vector<std::byte> packet = mailbox_.spare_buffer();
                    packet.resize(bytes.size());
                    if (bytes.size() > 0) std::memcpy(packet.data(), bytes.begin(), bytes.size());
                    mailbox_.deliver(chip.getSrc(), chip.getDst(), chip.getTag(), std::move(packet), 0);
                    std::lock_guard lock(mutex_);
                    ++chip_deliveries_;
                    break;
                }
                case schema::WireMessage::STEP: {
                    const auto step = message.getStep();
                    StepRequest request{{}, step.getPosition(), std::nullopt};
                    for (int token : step.getTokens()) request.tokens.push_back(token);
                    std::lock_guard lock(mutex_);
                    steps_.emplace_back(std::move(request));
                    break;
                }
                case schema::WireMessage::LOGITS: {
                    const auto bytes = message.getLogits();
                    std::vector<float> values(bytes.size() / sizeof(float));
                    std::memcpy(values.data(), bytes.begin(), values.size() * sizeof(float));
                    std::lock_guard lock(mutex_);
                    logits_.push_back(std::move(values));
                    break;
                }
                case schema::WireMessage::FABRIC: {
                    const auto fabric = message.getFabric();
                    StepRequest request{{}, 0, FabricRequest{fabric.getSeed(), fabric.getPositions()}};
                    std::lock_guard lock(mutex_);
                    steps_.emplace_back(std::move(request));
                    break;
                }
                case schema::WireMessage::FABRIC_FIGURES: {
                    std::string figures = message.getFabricFigures().cStr();
                    std::lock_guard lock(mutex_);
                    fabric_figures_.push_back(std::move(figures));
                    break;
                }
                case schema::WireMessage::DONE: {
                    // A goodbye: this peer closes next, which is then no failure.
                    // From the coordinator it also ends the run.
                    std::lock_guard lock(mutex_);
                    peer.goodbye = true;
                    if (peer.rank == 0) steps_.emplace_back(std::nullopt);
                    break;
                }
                case schema::WireMessage::ABORT:
                    throw Error(peer.name + " failed: " + message.getAbort().cStr());
                default:
                    throw Error(peer.name + " sent a message that does not belong in a run");
            }
            changed_.notify_all();
        }
    } catch (const std::exception& e) {
        {
            std::lock_guard lock(mutex_);
            if (closing_ || peer.goodbye) return;  // connections end when the run is over
        }
        log::get("launch")->error("{}", e.what());
        fail(e.what());
    }
}

void TcpMesh::wait_for_chip_message() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return failure_ || chip_deliveries_ != chip_deliveries_seen_; });
    throw_if_failed();
    chip_deliveries_seen_ = chip_deliveries_;
}

std::optional<StepRequest> TcpMesh::next_step() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return failure_ || !steps_.empty(); });
    if (steps_.empty()) throw_if_failed();
    auto step = std::move(steps_.front());
    steps_.pop_front();
    return step;
}

std::vector<float> TcpMesh::next_logits() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return failure_ || !logits_.empty(); });
    throw_if_failed();
    auto values = std::move(logits_.front());
    logits_.pop_front();
    return values;
}

std::string TcpMesh::next_fabric_figures() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return failure_ || !fabric_figures_.empty(); });
    throw_if_failed();
    auto figures = std::move(fabric_figures_.front());
    fabric_figures_.pop_front();
    return figures;
}

}  // namespace lpu::launch::tcp
