// Topology files in JSON, validated, then routed between two chips.
#include "fuzz/fuzz_input.hpp"
#include "topology/routing.hpp"
#include "topology/topology_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return lpu::fuzz::expect_only_input_errors([&] {
        const auto topology = lpu::topology::topology_from_json_text(lpu::fuzz::as_text(data, size), "fuzz input");
        const auto last = static_cast<lpu::topology::ChipId>(topology.chip_count() - 1);
        (void)lpu::topology::minimal_routes(topology, 0, last, 4);
    });
}
