// lpu's quantisers and dequantisers against GGML's own, on the inputs and
// results scripts/crosscheck/ggml_blocks.py recorded from llama.cpp's library
// (tests/data/crosscheck/ggml_blocks.json): the same bytes out of every
// quantiser, the same floats out of every dequantiser.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/kernels/k_quants.hpp"
#include "runtime/kernels/quantize.hpp"
#include "tests/support/paths.hpp"

using namespace lpu::kernels;

namespace {

nlohmann::json recorded() {
    const auto path = lpu::test::source_dir() / "tests" / "data" / "crosscheck" / "ggml_blocks.json";
    std::ifstream in(path);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

std::vector<std::byte> from_hex(const std::string& hex) {
    std::vector<std::byte> bytes(hex.size() / 2);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return bytes;
}

std::vector<float> floats_from_hex(const std::string& hex) {
    const auto bytes = from_hex(hex);
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

std::string fnv1a64_hex(const void* data, std::size_t size) {
    std::uint64_t hash = 0xCBF29CE484222325ull;
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        hash ^= bytes[i];
        hash *= 0x100000001B3ull;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

}  // namespace

TEST_CASE("every quantiser writes GGML's bytes and every dequantiser GGML's floats", "[kernels][ggml]") {
    const auto data = recorded();
    const auto input = floats_from_hex(data["input_f32_hex"]);
    const auto n = static_cast<std::int64_t>(input.size());
    for (const DType dtype : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K,
                              DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
        INFO(dtype_name(dtype));
        const auto& entry = data["types"][dtype_name(dtype)];
        const auto ggml_bytes = from_hex(entry["quantized_hex"]);
        std::vector<std::byte> ours(dtype_bytes(dtype, input.size()));
        quantize_row(dtype, input.data(), n, ours.data());
        REQUIRE(ours.size() == ggml_bytes.size());
        CHECK(std::memcmp(ours.data(), ggml_bytes.data(), ours.size()) == 0);

        std::vector<float> dequantized(input.size());
        dequantize_values(dtype, ggml_bytes.data(), n, dequantized.data());
        const std::vector<float> samples = entry["dequantized_sample"];
        CHECK(dequantized[0] == samples[0]);
        CHECK(dequantized[1023] == samples[4]);
        CHECK(fnv1a64_hex(dequantized.data(), dequantized.size() * sizeof(float)) ==
              entry["dequantized_f32_fnv1a64"].get<std::string>());
    }
}

TEST_CASE("K-quant activations are quantised to GGML's Q8_K bytes", "[kernels][ggml]") {
    const auto data = recorded();
    const auto input = floats_from_hex(data["input_f32_hex"]);
    const auto ggml_bytes = from_hex(data["types"]["Q8_K"]["quantized_hex"]);
    std::vector<BlockQ8_K> ours(input.size() / 256);
    quantize_activations_q8_k(input.data(), static_cast<std::int64_t>(input.size()), ours.data());
    REQUIRE(ours.size() * sizeof(BlockQ8_K) == ggml_bytes.size());
    CHECK(std::memcmp(ours.data(), ggml_bytes.data(), ggml_bytes.size()) == 0);
}
