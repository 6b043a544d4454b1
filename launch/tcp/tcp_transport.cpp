#include "launch/tcp/tcp_transport.hpp"

#include <cstring>

#include "base/error.hpp"

namespace lpu::launch::tcp {

TcpTransport::TcpTransport(TcpMesh& mesh, std::vector<int> rank_of_chip)
    : mesh_(mesh), rank_of_chip_(std::move(rank_of_chip)) {}

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
    if (rank == mesh_.rank()) {
        mesh_.chip_mailbox().send_copy(src, dst, tag, bytes);
        return;
    }
    capnp::MallocMessageBuilder message;
    auto chip = message.initRoot<schema::WireMessage>().initChipMessage();
    chip.setSrc(src);
    chip.setDst(dst);
    chip.setTag(tag);
    chip.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
    mesh_.send(rank, message);
}

bool TcpTransport::try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                            const Consumer& consume) {
    return mesh_.chip_mailbox().try_recv(dst, src, tag, bytes, consume);
}

void TcpTransport::recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                        const Consumer& consume) {
    while (!try_recv(dst, src, tag, bytes, consume)) {
        require(rank_of(src) != mesh_.rank(), [&] {
            return "chip " + std::to_string(dst) + " waits for chip " + std::to_string(src) +
                   " of its own process, which has not sent";
        });
        wait_for_message();
    }
}

void LogitsToCoordinator::broadcast(std::span<float> logits) {
    if (head_rank_ == 0) return;  // the coordinator holds them already
    if (mesh_.rank() == head_rank_) {
        capnp::MallocMessageBuilder message;
        message.initRoot<schema::WireMessage>().setLogits(
            kj::arrayPtr(reinterpret_cast<const kj::byte*>(logits.data()), logits.size_bytes()));
        mesh_.send(0, message);
    } else if (mesh_.rank() == 0) {
        const std::vector<float> values = mesh_.next_logits();
        require(values.size() == logits.size(), "the head chip's process sent " + std::to_string(values.size()) +
                                                    " logits, the model has " + std::to_string(logits.size()));
        std::memcpy(logits.data(), values.data(), logits.size_bytes());
    }
}

}  // namespace lpu::launch::tcp
