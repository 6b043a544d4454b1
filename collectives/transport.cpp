#include "collectives/transport.hpp"

#include <cstring>

#include "base/error.hpp"

namespace lpu::collectives {

Tag make_tag(std::uint64_t tile, std::uint64_t step, std::uint64_t transfer) {
    require(tile < (1u << 24) && step < (1u << 20) && transfer < (1u << 20),
            "message tag out of range: tile " + std::to_string(tile) + ", step " + std::to_string(step) +
                ", transfer " + std::to_string(transfer));
    return (tile << 40) | (step << 20) | transfer;
}

void Transport::recv_into(topology::ChipId dst, topology::ChipId src, Tag tag, std::span<std::byte> destination) {
    recv(dst, src, tag, destination.size(), copy_into(destination));
}

bool Transport::try_recv_into(topology::ChipId dst, topology::ChipId src, Tag tag, std::span<std::byte> destination) {
    return try_recv(dst, src, tag, destination.size(), copy_into(destination));
}

Transport::Consumer Transport::copy_into(std::span<std::byte> destination) {
    return [destination](std::span<const std::byte> bytes) {
        if (!bytes.empty()) std::memcpy(destination.data(), bytes.data(), bytes.size());
    };
}

}  // namespace lpu::collectives
