#include "launch/tcp/tcp_transport.hpp"

#include "base/error.hpp"

namespace lpu::launch::tcp {

TcpTransport::TcpTransport(TcpMesh& mesh, std::vector<int> rank_of_chip, std::uint64_t mailbox_limit_bytes)
    : mesh_(mesh), rank_of_chip_(std::move(rank_of_chip)), remote_(mailbox_limit_bytes) {
    mesh_.set_chip_handler(this);
}

TcpTransport::~TcpTransport() { mesh_.set_chip_handler(nullptr); }

int TcpTransport::rank_of(topology::ChipId chip) const {
    require(chip < rank_of_chip_.size() && rank_of_chip_[chip] >= 0,
            [&] { return "chip " + std::to_string(chip) + " runs in no process of this job"; });
    return rank_of_chip_[chip];
}

void TcpTransport::send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                        std::span<const std::byte> bytes) {
    send_copy(src, dst, tag, bytes);  // a frame is a copy either way
}

void TcpTransport::send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                             std::span<const std::byte> bytes) {
    const int rank = rank_of(dst);
    if (rank == mesh_.rank()) return local_.send_copy(src, dst, tag, bytes);
    capnp::word scratch[16] = {};  // the header's whole message: no allocation per message
    capnp::MallocMessageBuilder message(kj::arrayPtr(scratch, std::size(scratch)));
    auto chip = message.initRoot<schema::WireMessage>().initChipMessage();
    chip.setSrc(src);
    chip.setDst(dst);
    chip.setTag(tag);
    chip.setPayloadBytes(bytes.size());
    mesh_.append(rank, message, bytes);
}

void TcpTransport::on_chip_message(int peer, schema::ChipMessage::Reader header) {
    const topology::ChipId src = header.getSrc(), dst = header.getDst();
    const bool placed = src < rank_of_chip_.size() && rank_of_chip_[src] == peer && dst < rank_of_chip_.size() &&
                        rank_of_chip_[dst] == mesh_.rank();
    require(placed, [&] {
        return "a message from chip " + std::to_string(src) + " to chip " + std::to_string(dst) +
               ", which are not of that process and this one";
    });
    incoming_[peer] = Incoming{remote_.land(peer, {src, dst, header.getTag()},
                                            static_cast<std::size_t>(header.getPayloadBytes())),
                               0};
}

void TcpTransport::on_payload(int peer, std::span<const std::byte> piece) {
    Incoming& incoming = incoming_.at(peer);
    remote_.fill(incoming.landing, incoming.filled, piece);
    incoming.filled += piece.size();
}

void TcpTransport::on_payload_end(int peer) {
    const auto found = incoming_.find(peer);
    remote_.arrived(std::move(found->second.landing));
    incoming_.erase(found);
    ++arrivals_;
}

void TcpTransport::on_failure(const std::string& reason) {
    remote_.abort(reason);
    local_.abort(reason);
}

bool TcpTransport::try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                            const Consumer& consume) {
    if (is_local(src)) return local_.try_recv(dst, src, tag, bytes, consume);
    return remote_.try_take(dst, src, tag, bytes, consume);
}

bool TcpTransport::try_recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                                 std::span<std::byte> destination) {
    if (is_local(src)) return Transport::try_recv_into(dst, src, tag, destination);
    return remote_.try_take_into(dst, src, tag, destination);
}

void TcpTransport::wait_for_message() {
    // A message that arrived while a chip was being run may be the one it looked for: nothing to wait for then.
    mesh_.wait_until([&] { return arrivals_.load() != arrivals_seen_; });
    arrivals_seen_ = arrivals_.load();
}

void TcpTransport::recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                        const Consumer& consume) {
    if (is_local(src)) return local_.recv(dst, src, tag, bytes, consume);  // posted before, or never (it throws)
    mesh_.wait_until([&] { return remote_.try_take(dst, src, tag, bytes, consume); });
}

void TcpTransport::recv_into(topology::ChipId dst, topology::ChipId src, collectives::Tag tag,
                             std::span<std::byte> destination) {
    if (is_local(src)) return Transport::recv_into(dst, src, tag, destination);
    mesh_.wait_until([&] { return remote_.try_take_into(dst, src, tag, destination); });
}

}  // namespace lpu::launch::tcp
