// Chip spec files (JSON), parsed and validated as --spec FILE is.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "sim/chip/chip_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lpu::fuzz::InputFile input(data, size, ".json");
    return lpu::fuzz::expect_only_input_errors([&] { (void)lpu::sim::load_chip_spec(input.path()); });
}
