// Reading the llama-family architectures from GGUF: llama (with Llama 3.1's
// rope_freqs or linear RoPE scaling) and qwen2, and refusing the rest by name.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/model/gguf_writer.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "tests/runtime/model/model_test_files.hpp"

namespace lpu::model {
namespace {

// A hand-made model of dim 8 (2 heads), one layer, hidden 16, vocab 8, with
// what a test asks for: which architecture it claims, which tensors it has.
struct TinyModel {
    std::string architecture = "llama";
    bool biases = false;
    bool rope_freqs = false;
    std::string rope_scaling_type;  // empty: no key
    std::string extra_tensor;       // empty: none

    std::string write(const test::TempDir& dir, const std::string& name) const {
        GgufWriter writer;
        const auto key = [&](const char* suffix) { return architecture + "." + suffix; };
        writer.set_string("general.architecture", architecture);
        writer.set_u32(key("context_length"), 32);
        writer.set_u32(key("embedding_length"), 8);
        writer.set_u32(key("block_count"), 1);
        writer.set_u32(key("feed_forward_length"), 16);
        writer.set_u32(key("attention.head_count"), 2);
        writer.set_u32(key("vocab_size"), 8);
        if (!rope_scaling_type.empty()) {
            writer.set_string(key("rope.scaling.type"), rope_scaling_type);
            writer.set_f32(key("rope.scaling.factor"), 2.0f);
        }
        const auto tensor = [&](const std::string& tensor_name, std::vector<std::int64_t> dims) {
            std::int64_t count = 1;
            for (const auto d : dims) count *= d;
            writer.add_tensor(tensor_name, kernels::DType::F32, std::move(dims), [count](TensorSink& sink) {
                const std::vector<float> values(static_cast<std::size_t>(count), 0.5f);
                sink.write(values.data(), values.size() * sizeof(float));
            });
        };
        tensor("token_embd.weight", {8, 8});
        for (const char* norm : {"blk.0.attn_norm.weight", "blk.0.ffn_norm.weight"}) tensor(norm, {8});
        for (const char* matrix : {"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight",
                                   "blk.0.attn_output.weight"}) {
            tensor(matrix, {8, 8});
        }
        tensor("blk.0.ffn_gate.weight", {8, 16});
        tensor("blk.0.ffn_up.weight", {8, 16});
        tensor("blk.0.ffn_down.weight", {16, 8});
        if (biases) {
            for (const char* bias : {"blk.0.attn_q.bias", "blk.0.attn_k.bias", "blk.0.attn_v.bias"}) tensor(bias, {8});
        }
        if (rope_freqs) tensor("rope_freqs.weight", {2});
        if (!extra_tensor.empty()) tensor(extra_tensor, {8});
        tensor("output_norm.weight", {8});
        const std::string path = dir.file(name);
        writer.write(path);
        return path;
    }
};

std::string open_error(const std::string& path) {
    try {
        open_model(path);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

}  // namespace

TEST_CASE("architectures: qwen2 has q/k/v biases and rotates halves", "[model][architectures]") {
    const test::TempDir dir("arch");
    TinyModel qwen2;
    qwen2.architecture = "qwen2";
    qwen2.biases = true;
    const auto file = open_model(qwen2.write(dir, "qwen2.gguf"));
    const auto& config = file->config();
    CHECK(config.architecture == Architecture::Qwen2);
    CHECK(config.qkv_bias);
    CHECK(config.rope_pairing == kernels::RopePairing::Halves);
    CHECK(config.tied_output);
    CHECK(file->weights().layers[0].bq.present());
    CHECK(file->weights().layers[0].bk.cols == config.kv_dim());
    CHECK(tensor_list(file->weights()).size() == 14);

    TinyModel no_biases = qwen2;
    no_biases.biases = false;
    CHECK_THAT(open_error(no_biases.write(dir, "no-bias.gguf")), Catch::Contains("qwen2 models have q/k/v biases"));
}

TEST_CASE("architectures: llama with rope_freqs, linear scaling, and adjacent pairs", "[model][architectures]") {
    const test::TempDir dir("arch");
    TinyModel llama31;
    llama31.rope_freqs = true;
    auto file = open_model(llama31.write(dir, "llama31.gguf"));
    CHECK(file->config().rope_freq_factors);
    CHECK(file->config().rope_pairing == kernels::RopePairing::Adjacent);
    CHECK(file->weights().rope_freqs.cols == file->config().head_dim() / 2);

    TinyModel linear;
    linear.rope_scaling_type = "linear";
    file = open_model(linear.write(dir, "linear.gguf"));
    CHECK(file->config().rope_freq_scale == 0.5f);
    CHECK(file->config().has_rope_scaling());
}

TEST_CASE("architectures: anything else is refused by name", "[model][architectures]") {
    const test::TempDir dir("arch");
    TinyModel gemma;
    gemma.architecture = "gemma";
    CHECK_THAT(open_error(gemma.write(dir, "gemma.gguf")),
               Catch::Contains("general.architecture is 'gemma'; supported: llama") && Catch::Contains("qwen2"));

    TinyModel yarn;
    yarn.rope_scaling_type = "yarn";
    CHECK_THAT(open_error(yarn.write(dir, "yarn.gguf")),
               Catch::Contains("llama.rope.scaling.type is 'yarn'; supported: none, linear"));

    // rope_freqs in a qwen2 file: llama.cpp's qwen2 does not read it; neither does lpu.
    TinyModel qwen2_factors;
    qwen2_factors.architecture = "qwen2";
    qwen2_factors.biases = true;
    qwen2_factors.rope_freqs = true;
    CHECK_THAT(open_error(qwen2_factors.write(dir, "qwen2-factors.gguf")),
               Catch::Contains("tensor 'rope_freqs.weight' is not part of a qwen2 model"));

    // A tensor the model would not use (an output bias, here) is refused, not ignored.
    TinyModel extra;
    extra.extra_tensor = "blk.0.attn_output.bias";
    CHECK_THAT(open_error(extra.write(dir, "extra.gguf")),
               Catch::Contains("tensor 'blk.0.attn_output.bias' is not part of a llama model"));
}

TEST_CASE("architectures: lpu's synthetic qwen2 and Llama 3.1-style files read back as written",
          "[model][architectures]") {
    const test::TempDir dir("arch");
    SyntheticShape shape;
    shape.architecture = Architecture::Qwen2;
    shape.rope_freqs = true;
    shape.tokenizer = TokenizerModel::BytePairs;
    const std::string path = dir.file("synthetic-qwen2.gguf");
    CHECK_THROWS_WITH(write_synthetic_model(shape, path), Catch::Contains("belong to the llama architecture"));
    shape.rope_freqs = false;
    write_synthetic_model(shape, path);
    const auto file = open_model(path);
    CHECK(file->config().architecture == Architecture::Qwen2);
    CHECK(file->config().qkv_bias);
    CHECK_FALSE(file->config().rope_freq_factors);
    const auto vocabulary = file->tokenizer();
    REQUIRE(vocabulary.has_value());
    CHECK(vocabulary->model == TokenizerModel::BytePairs);
    CHECK(vocabulary->pre_tokenizer == "qwen2");
    CHECK_FALSE(vocabulary->chat_template.empty());
    // Llama 3.1's rule: 1 for short wavelengths, 8 beyond the context, smooth between.
    const auto factors = llama3_rope_factors(16, 10000.0f, 256);
    CHECK(factors.front() == 1.0f);
    CHECK(factors.back() == 8.0f);
    CHECK(std::is_sorted(factors.begin(), factors.end()));
}

}  // namespace lpu::model
