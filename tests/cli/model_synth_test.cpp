// `lpu model synth` end to end: the real binary writes files open_model() reads.
#include <unistd.h>

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "runtime/model/model_file.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {

TEST_CASE("lpu model synth: defaults write the tiny preset", "[launch][model]") {
    const test::TempDir dir("model-synth");
    const auto path = dir.file("tiny.gguf");
    const auto result = run_lpu("model synth -o " + path);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find(path) != std::string::npos);
    CHECK(result.err.find(std::to_string(std::filesystem::file_size(path)) + " bytes") != std::string::npos);
    const auto file = model::open_model(path);
    CHECK(file->config().dim == 64);
    CHECK(file->config().n_layers == 2);
    CHECK(file->config().vocab_size == 512);
    CHECK(file->config().weight_dtype == kernels::DType::F32);
}

TEST_CASE("lpu model synth: flags override the preset", "[launch][model]") {
    const test::TempDir dir("model-synth");
    const auto path = dir.file("compiler.gguf");
    const auto result = run_lpu("model synth --preset compiler-test --layers 1 --vocab 300 --dtype q8_0 --seed 3 "
                                "--tied --output " + path);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto file = model::open_model(path);
    const auto& config = file->config();
    CHECK(config.dim == 512);
    CHECK(config.n_layers == 1);
    CHECK(config.n_heads == 8);
    CHECK(config.n_kv_heads == 2);
    CHECK(config.hidden_dim == 1376);
    CHECK(config.vocab_size == 300);
    CHECK(config.tied_output);
    CHECK(config.weight_dtype == kernels::DType::Q8_0);
}

TEST_CASE("lpu model synth: bad shapes exit 2 with a clear error", "[launch][model]") {
    const test::TempDir dir("model-synth");
    const auto path = dir.file("bad.gguf");
    const auto q8 = run_lpu("model synth --dtype q8_0 --dim 40 -o " + path);
    CHECK(q8.exit_code == 2);
    CHECK(q8.err.rfind("error: ", 0) == 0);
    CHECK(q8.err.find("dim") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(path));

    const auto preset = run_lpu("model synth --preset nope -o " + path);
    CHECK(preset.exit_code == 2);
    CHECK(preset.err.find("nope") != std::string::npos);

    const auto dtype = run_lpu("model synth --dtype f64 -o " + path);
    CHECK(dtype.exit_code == 2);
    CHECK(dtype.err.find("f64") != std::string::npos);

    const auto no_output = run_lpu("model synth");
    CHECK(no_output.exit_code == 2);
    CHECK(no_output.err.find("--output") != std::string::npos);
}

TEST_CASE("lpu model synth: qwen2 and Llama 3.1-style files with a byte-level vocabulary", "[launch][model]") {
    const test::TempDir dir("model-synth");
    const auto qwen2 = dir.file("qwen2.gguf");
    auto result = run_lpu("model synth --arch qwen2 --vocab 600 -o " + qwen2);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("qwen2 dim 64") != std::string::npos);
    CHECK(result.err.find("q/k/v biases") != std::string::npos);
    const auto file = model::open_model(qwen2);
    CHECK(file->config().architecture == model::Architecture::Qwen2);
    CHECK(file->tokenizer()->model == model::TokenizerModel::BytePairs);
    result = run_lpu("model info --model " + qwen2);
    CHECK(result.out.find("arch        qwen2: RoPE on halves, q/k/v biases") != std::string::npos);

    const auto llama31 = dir.file("llama31.gguf");
    result = run_lpu("model synth --rope-freqs --tokenizer bpe -o " + llama31);
    REQUIRE(result.exit_code == 0);
    CHECK(model::open_model(llama31)->config().rope_freq_factors);

    const auto copied = dir.file("copied.gguf");
    result = run_lpu("model synth --arch qwen2 --vocab-from " + qwen2 + " --dim 32 -o " + copied);
    REQUIRE(result.exit_code == 0);
    CHECK(model::open_model(copied)->config().vocab_size == 600);

    result = run_lpu("model synth --arch gemma -o " + dir.file("x.gguf"));
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("--arch 'gemma' is not llama or qwen2") != std::string::npos);
}

}  // namespace lpu::test
