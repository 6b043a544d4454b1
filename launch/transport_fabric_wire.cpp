#include "launch/transport_fabric_wire.hpp"

#include <cstring>

namespace lpu::launch {
namespace {

// The largest tile make_tag accepts; plans number their tiles from 0.
constexpr std::uint64_t fabric_tile = (std::uint64_t{1} << 24) - 1;

collectives::Tag tag_of(sim::FabricMessage kind, std::uint32_t index) {
    return collectives::make_tag(fabric_tile, static_cast<std::uint64_t>(kind), index);
}

}  // namespace

void TransportFabricWire::send(topology::ChipId from, topology::ChipId to, sim::FabricMessage kind,
                               std::uint32_t index, std::span<const std::int64_t> words) {
    transport_.send_copy(from, to, tag_of(kind, index), std::as_bytes(words));
}

void TransportFabricWire::receive(topology::ChipId to, topology::ChipId from, sim::FabricMessage kind,
                                  std::uint32_t index, std::span<std::int64_t> words) {
    // recv checks the size: a message of another count is an lpu::Error.
    transport_.recv(to, from, tag_of(kind, index), words.size_bytes(), [&](std::span<const std::byte> bytes) {
        if (!bytes.empty()) std::memcpy(words.data(), bytes.data(), bytes.size());
    });
}

}  // namespace lpu::launch
