// F16 and Q8_0 versions of a synthetic model stay close to their F32 twin.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <vector>

#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"

using namespace lpu;

namespace {

// Logits of the first `positions` positions of a fixed token sequence.
std::vector<std::vector<float>> run_logits(const std::string& path, int positions) {
    const auto file = model::open_model(path);
    engine::SingleChipModel chip_model(*file, sim::chip_spec_preset("tsp-v1"), positions);
    std::vector<std::vector<float>> logits;
    for (int position = 0; position < positions; ++position) {
        const int token = (position * 37 + 1) % file->config().vocab_size;
        auto out = chip_model.forward(token, position);
        logits.emplace_back(out.begin(), out.end());
    }
    return logits;
}

// The largest |a - b| over all logits, relative to the largest |a|.
double relative_error(const std::vector<std::vector<float>>& reference, const std::vector<std::vector<float>>& other) {
    double max_difference = 0.0, max_magnitude = 0.0;
    for (std::size_t p = 0; p < reference.size(); ++p) {
        for (std::size_t i = 0; i < reference[p].size(); ++i) {
            max_difference = std::max(max_difference, std::abs(double(reference[p][i]) - other[p][i]));
            max_magnitude = std::max(max_magnitude, std::abs(double(reference[p][i])));
        }
    }
    return max_difference / max_magnitude;
}

}  // namespace

TEST_CASE("F16 and Q8_0 logits stay within tolerance of the F32 twin", "[engine][precision]") {
    const auto dir = std::filesystem::temp_directory_path() / ("lpu-precision-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    model::SyntheticShape shape;
    shape.dim = 128;
    shape.n_layers = 3;
    shape.n_heads = 4;
    shape.n_kv_heads = 2;
    shape.hidden_dim = 352;
    shape.vocab_size = 1024;
    shape.context_length = 64;
    shape.seed = 42;

    const auto write = [&](kernels::DType dtype) {
        shape.dtype = dtype;
        const auto path = (dir / (kernels::dtype_name(dtype) + ".gguf")).string();
        model::write_synthetic_model(shape, path);
        return path;
    };
    const int positions = 16;
    const auto f32 = run_logits(write(kernels::DType::F32), positions);
    const auto f16 = run_logits(write(kernels::DType::F16), positions);
    const auto q8 = run_logits(write(kernels::DType::Q8_0), positions);
    std::filesystem::remove_all(dir);

    // Tolerances: F16 keeps 11 significant bits (relative rounding 2^-11 ~ 5e-4
    // per weight); Q8_0 keeps 8 bits per block of 32 (~4e-3 of the block's
    // largest weight). Errors average out over dot products of 128-352 terms and
    // grow through 3 layers; measured here: F16 3.4e-4, Q8_0 6.6e-3 of the largest logit.
    const double f16_error = relative_error(f32, f16);
    const double q8_error = relative_error(f32, q8);
    INFO("F16 relative logit error " << f16_error << ", Q8_0 " << q8_error);
    CHECK(f16_error < 2e-3);
    CHECK(q8_error < 2e-2);
    CHECK(f16_error > 0.0);  // the twins really are different files
}
