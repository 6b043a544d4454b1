// The runtime executes only what it has kernels for: a model with FP8 weights
// is refused by every executor, by name, before anything is loaded. One chip
// runs a mixture of experts (compiled plans: mixture_of_experts_plan_test.cpp).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"

using namespace lpu;

namespace {

// A real model file whose config claims what the file cannot hold.
class AlteredModel : public model::ModelFile {
public:
    AlteredModel(std::unique_ptr<model::ModelFile> file, model::ModelConfig config)
        : file_(std::move(file)), config_(std::move(config)) {}
    const model::ModelConfig& config() const override { return config_; }
    const model::ModelWeights& weights() const override { return file_->weights(); }
    std::optional<model::TokenizerData> tokenizer() const override { return file_->tokenizer(); }
    std::string format() const override { return file_->format(); }

private:
    std::unique_ptr<model::ModelFile> file_;
    model::ModelConfig config_;
};

std::unique_ptr<model::ModelFile> tiny_model() {
    const auto path = std::filesystem::temp_directory_path() / ("lpu-executable-" + std::to_string(::getpid()) + ".gguf");
    model::SyntheticShape shape;
    shape.dtype = kernels::DType::Q8_0;
    model::write_synthetic_model(shape, path.string());
    auto file = model::open_model(path.string());
    std::filesystem::remove(path);  // the mapping stays valid
    return file;
}

}  // namespace

TEST_CASE("the runtime refuses FP8 weights by name", "[engine][refusal]") {
    auto file = tiny_model();
    auto fp8 = file->config();
    fp8.weight_dtype = kernels::DType::F8_E4M3;
    const auto spec = sim::chip_spec_preset("tsp-v1");

    const AlteredModel fp8_model(tiny_model(), fp8);
    CHECK_THROWS_WITH(engine::SingleChipModel(fp8_model, spec, 0), Catch::Contains("cannot execute FP8 weights"));
}

TEST_CASE("a synthetic mixture of experts runs on one chip, and routing matters", "[engine][moe]") {
    const auto dir = std::filesystem::temp_directory_path() / ("lpu-moe-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    model::SyntheticShape shape;
    shape.experts = 4;
    shape.experts_used = 2;
    model::write_synthetic_model(shape, (dir / "moe.gguf").string());
    const auto file = model::open_model((dir / "moe.gguf").string());
    CHECK(file->config().experts == 4);
    CHECK(file->config().active_experts == 2);
    CHECK(file->weights().layers[0].experts_gate.rows == 4 * shape.hidden_dim);
    const auto spec = sim::chip_spec_preset("tsp-v1");
    engine::SingleChipModel chip(*file, spec, 16);
    const auto logits = chip.forward(1, 0);
    const std::vector<float> first(logits.begin(), logits.end());
    // The same model with one expert per token is another function.
    shape.experts_used = 1;
    model::write_synthetic_model(shape, (dir / "moe-top1.gguf").string());
    const auto top1_file = model::open_model((dir / "moe-top1.gguf").string());
    engine::SingleChipModel top1(*top1_file, spec, 16);
    const auto other = top1.forward(1, 0);
    CHECK_FALSE(std::equal(first.begin(), first.end(), other.begin()));
    CHECK(chip.last_forward_cycles() > top1.last_forward_cycles());  // two experts' matrices, not one
    std::filesystem::remove_all(dir);
}
