#pragma once
// The alignment protocol's messages (sim/fabric/chip_fabric.hpp) over a run's
// Transport: each is one message between its two chips, so it goes through
// memory when both are in this process and over MPI or TCP otherwise, like
// the plan's own transfers. Its tags use a tile no plan uses, so they never
// meet a plan message.
#include "collectives/transport.hpp"
#include "sim/fabric/chip_fabric.hpp"

namespace lpu::launch {

class TransportFabricWire final : public sim::FabricWire {
public:
    explicit TransportFabricWire(collectives::Transport& transport) : transport_(transport) {}
    void send(topology::ChipId from, topology::ChipId to, sim::FabricMessage kind, std::uint32_t index,
              std::span<const std::int64_t> words) override;
    void receive(topology::ChipId to, topology::ChipId from, sim::FabricMessage kind, std::uint32_t index,
                 std::span<std::int64_t> words) override;

private:
    collectives::Transport& transport_;
};

}  // namespace lpu::launch
