// A model is refused when it does not fit one chip's SRAM, with the bytes missing
// and the minimum chip count; it loads when the spec gives it room.
#include <catch2/catch.hpp>

#include <filesystem>

#include "base/error.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"

using namespace lpu;

TEST_CASE("a model larger than the chip's SRAM is refused with the minimum chip count", "[engine][sram]") {
    const auto path = (std::filesystem::temp_directory_path() / ("lpu-fit-" + std::to_string(::getpid()) + ".gguf")).string();
    model::SyntheticShape shape;
    shape.dim = 256;
    shape.n_layers = 4;
    shape.n_heads = 4;
    shape.n_kv_heads = 4;
    shape.hidden_dim = 768;
    shape.vocab_size = 4096;
    shape.context_length = 128;
    model::write_synthetic_model(shape, path);
    const auto file = model::open_model(path);

    const std::int64_t needed = engine::SingleChipModel::sram_bytes_needed(file->config(), 128);
    auto small = sim::chip_spec_preset("tsp-v1");
    small.sram_bytes = needed / 3;  // needs 3 chips' worth, plus a little
    try {
        engine::SingleChipModel refused(*file, small, 128);
        FAIL("a model three times the SRAM was accepted");
    } catch (const Error& error) {
        const std::string message = error.what();
        INFO(message);
        CHECK(message.find("short by") != std::string::npos);
        CHECK(message.find("at least 4 chips") != std::string::npos);
    }

    // Room for the model plus the padding of each buffer to whole SRAM vectors.
    auto roomy = small;
    roomy.sram_bytes = needed + 64 * 1024;
    engine::SingleChipModel fits(*file, roomy, 128);
    CHECK(fits.chip().sram().used_bytes() >= needed);
    CHECK(fits.chip().sram().used_bytes(chip::SramUse::Weights) > 0);
    // 4 layers x (keys + values) x 128 positions x 256 floats, each buffer padded to whole vectors.
    const std::int64_t kv_bytes = 4 * 2 * 128 * 256 * 4;
    CHECK(fits.chip().sram().used_bytes(chip::SramUse::KvCache) >= kv_bytes);
    CHECK(fits.chip().sram().used_bytes(chip::SramUse::KvCache) < kv_bytes + 8 * fits.chip().sram().alignment_bytes());
    std::filesystem::remove(path);
}
