#include "runtime/model/synthetic_model.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/dtype.hpp"
#include "runtime/kernels/quantize.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::model {
namespace {

using kernels::DType;

// A scratch directory removed at the end of the test.
SyntheticShape small_shape(DType dtype) {
    SyntheticShape shape;
    shape.dim = 64;
    shape.n_layers = 2;
    shape.n_heads = 4;
    shape.n_kv_heads = 2;
    shape.hidden_dim = 96;
    shape.vocab_size = 300;
    shape.context_length = 64;
    shape.dtype = dtype;
    shape.seed = 7;
    return shape;
}

std::vector<char> file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The F32 value of element `i` of a tensor of any dtype (its block, dequantised).
float element(const TensorView& tensor, std::int64_t i) {
    const auto block = kernels::block_shape(tensor.dtype);
    std::vector<float> values(static_cast<std::size_t>(block.values));
    kernels::dequantize_values(tensor.dtype, tensor.data + i / block.values * block.bytes, block.values, values.data());
    return values[static_cast<std::size_t>(i % block.values)];
}

// Checks that `lower` holds `exact`'s values within the precision of its dtype:
// exactly for F32, half precision relative error for F16, half a quantization step
// (plus the F16 rounding of the block scale) for Q8_0.
void check_close(const TensorView& exact, const TensorView& lower) {
    INFO("tensor " << exact.name << " as " << kernels::dtype_name(lower.dtype));
    REQUIRE(exact.dtype == DType::F32);
    REQUIRE(exact.rows == lower.rows);
    REQUIRE(exact.cols == lower.cols);
    double worst_excess = 0;
    for (std::int64_t block = 0; block < exact.elements(); block += 32) {
        const std::int64_t end = std::min<std::int64_t>(block + 32, exact.elements());
        float block_max = 0;
        for (std::int64_t i = block; i < end; ++i) block_max = std::max(block_max, std::fabs(element(exact, i)));
        for (std::int64_t i = block; i < end; ++i) {
            const float x = element(exact, i);
            double tolerance = 0;  // F32 stays bit-exact
            if (lower.dtype == DType::F16) tolerance = std::fabs(x) * 0x1p-11 + 0x1p-24;
            if (lower.dtype == DType::Q8_0) tolerance = block_max / 127.0 * 0.5 + block_max * 0x1p-10;
            worst_excess = std::max(worst_excess, std::fabs(element(lower, i) - x) - tolerance);
        }
    }
    CHECK(worst_excess <= 0);
}

std::vector<const TensorView*> all_tensors(const ModelWeights& weights) {
    std::vector<const TensorView*> tensors{&weights.token_embedding, &weights.final_norm, &weights.output};
    for (const auto& layer : weights.layers) {
        for (const auto* tensor : {&layer.attn_norm, &layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.ffn_norm,
                                   &layer.w_gate, &layer.w_down, &layer.w_up}) {
            tensors.push_back(tensor);
        }
    }
    return tensors;
}

}  // namespace

TEST_CASE("synthetic model: presets and shape validation", "[synthetic]") {
    const auto bench = synthetic_preset("bench-110m");
    CHECK(bench.dim == 768);
    CHECK(bench.n_layers == 12);
    CHECK(bench.vocab_size == 32000);
    CHECK(bench.tied_output);
    const auto compiler = synthetic_preset("compiler-test");
    CHECK(compiler.n_kv_heads == 2);
    CHECK(compiler.hidden_dim == 1376);
    for (const auto& name : synthetic_preset_names()) {
        auto shape = synthetic_preset(name);
        shape.dtype = DType::Q8_0;
        CHECK_NOTHROW(synthetic_config(shape));  // every preset is Q8_0-compatible
    }
    CHECK_THROWS_WITH(synthetic_preset("huge"), Catch::Contains("huge") && Catch::Contains("tiny"));

    auto q8_dim40 = small_shape(DType::Q8_0);
    q8_dim40.dim = 40;
    q8_dim40.n_heads = 4;
    q8_dim40.n_kv_heads = 2;
    CHECK_THROWS_WITH(synthetic_config(q8_dim40), Catch::Contains("dim") && Catch::Contains("40"));
    auto q8_hidden = small_shape(DType::Q8_0);
    q8_hidden.hidden_dim = 100;
    CHECK_THROWS_WITH(synthetic_config(q8_hidden), Catch::Contains("hidden_dim"));
    q8_hidden.dtype = DType::F16;
    CHECK_NOTHROW(synthetic_config(q8_hidden));  // F16 has no block constraint

    auto small_vocab = small_shape(DType::F32);
    small_vocab.vocab_size = 258;
    CHECK_THROWS_WITH(synthetic_config(small_vocab), Catch::Contains("vocab_size"));
    auto bad_heads = small_shape(DType::F32);
    bad_heads.n_kv_heads = 3;
    CHECK_THROWS_AS(synthetic_config(bad_heads), Error);
    CHECK_NOTHROW(synthetic_config(small_shape(DType::BF16)));
    CHECK_THROWS_WITH(synthetic_config(small_shape(DType::F8_E4M3)), Catch::Contains("not supported"));
    auto narrow_k_quant = small_shape(DType::Q4_K);
    CHECK_THROWS_WITH(synthetic_config(narrow_k_quant), Catch::Contains("Q4_K needs row lengths that are multiples of 256"));
}

TEST_CASE("synthetic model: the vocabulary is byte-level, unique and exactly vocab_size", "[synthetic]") {
    for (const int size : {259, 300, 4096, 32000}) {
        INFO("vocab_size " << size);
        const auto data = synthetic_vocabulary(size);
        REQUIRE(data.pieces.size() == static_cast<std::size_t>(size));
        REQUIRE(data.scores.size() == data.pieces.size());
        REQUIRE(data.types.size() == data.pieces.size());
        CHECK(std::set<std::string>(data.pieces.begin(), data.pieces.end()).size() == data.pieces.size());
        CHECK(data.pieces[0] == "<unk>");
        CHECK(data.pieces[1] == "<s>");
        CHECK(data.pieces[2] == "</s>");
        CHECK(data.pieces[3] == "<0x00>");
        CHECK(data.pieces[3 + 0x0A] == "<0x0A>");
        CHECK(data.pieces[258] == "<0xFF>");
        CHECK(data.types[258] == TokenType::Byte);
    }
    CHECK_THROWS_AS(synthetic_vocabulary(100), Error);
}

TEST_CASE("synthetic model: F32, F16 and Q8_0 files are one model at three precisions", "[synthetic]") {
    const test::TempDir dir("synth-test");
    const auto f32_path = dir.file("f32.gguf");
    write_synthetic_model(small_shape(DType::F32), f32_path);
    const auto f32 = open_model(f32_path);
    const auto& config = f32->config();
    CHECK(f32->format() == "gguf");
    CHECK(config.dim == 64);
    CHECK(config.n_layers == 2);
    CHECK(config.n_heads == 4);
    CHECK(config.n_kv_heads == 2);
    CHECK(config.hidden_dim == 96);
    CHECK(config.vocab_size == 300);
    CHECK(config.context_length == 64);
    CHECK_FALSE(config.tied_output);
    CHECK(config.weight_dtype == DType::F32);

    const auto vocabulary = f32->tokenizer();
    REQUIRE(vocabulary.has_value());
    CHECK(vocabulary->pieces == synthetic_vocabulary(300).pieces);
    CHECK(vocabulary->scores == synthetic_vocabulary(300).scores);
    const Tokenizer tokenizer(*vocabulary);
    CHECK(tokenizer.decode(tokenizer.encode("hello, synthetic world \xE2\x9C\x93")) ==
          "hello, synthetic world \xE2\x9C\x93");

    const auto exact_tensors = all_tensors(f32->weights());
    for (const DType dtype : {DType::F16, DType::Q8_0}) {
        const auto path = dir.file(kernels::dtype_name(dtype) + ".gguf");
        write_synthetic_model(small_shape(dtype), path);
        const auto lower = open_model(path);
        CHECK(lower->config().weight_dtype == dtype);
        CHECK(lower->config().dim == config.dim);
        const auto lower_tensors = all_tensors(lower->weights());
        REQUIRE(lower_tensors.size() == exact_tensors.size());
        for (std::size_t i = 0; i < exact_tensors.size(); ++i) {
            const bool norm = exact_tensors[i]->rows == 1;
            CHECK(lower_tensors[i]->dtype == (norm ? DType::F32 : dtype));
            check_close(*exact_tensors[i], *lower_tensors[i]);
        }
    }
}

TEST_CASE("synthetic model: weights are seeded, deterministic and O(1)", "[synthetic]") {
    const test::TempDir dir("synth-test");
    auto shape = small_shape(DType::Q8_0);
    write_synthetic_model(shape, dir.file("a.gguf"));
    write_synthetic_model(shape, dir.file("b.gguf"));
    CHECK(file_bytes(dir.file("a.gguf")) == file_bytes(dir.file("b.gguf")));
    shape.seed = 8;
    write_synthetic_model(shape, dir.file("c.gguf"));
    CHECK(file_bytes(dir.file("a.gguf")) != file_bytes(dir.file("c.gguf")));

    shape = small_shape(DType::F32);
    shape.tied_output = true;
    write_synthetic_model(shape, dir.file("tied.gguf"));
    const auto tied = open_model(dir.file("tied.gguf"));
    CHECK(tied->config().tied_output);
    const auto& weights = tied->weights();
    CHECK(weights.output.data == weights.token_embedding.data);

    // Matrices within +-1/sqrt(cols), norms within 1 +- 0.1, embedding within +-1.
    const auto& wq = weights.layers[0].wq;
    const auto& norm = weights.layers[1].ffn_norm;
    float wq_max = 0, norm_min = 2, norm_max = 0, embedding_max = 0;
    for (std::int64_t i = 0; i < wq.elements(); ++i) wq_max = std::max(wq_max, std::fabs(element(wq, i)));
    for (std::int64_t i = 0; i < norm.elements(); ++i) {
        norm_min = std::min(norm_min, element(norm, i));
        norm_max = std::max(norm_max, element(norm, i));
    }
    for (std::int64_t i = 0; i < weights.token_embedding.elements(); ++i) {
        embedding_max = std::max(embedding_max, std::fabs(element(weights.token_embedding, i)));
    }
    CHECK(wq_max <= 1.0f / 8.0f);
    CHECK(wq_max > 0.1f);
    CHECK(norm_min >= 0.9f);
    CHECK(norm_max <= 1.1f);
    CHECK(norm_max > norm_min);
    CHECK(embedding_max <= 1.0f);
    CHECK(embedding_max > 0.9f);
}

TEST_CASE("synthetic model: an unwritable path is a clear error", "[synthetic]") {
    CHECK_THROWS_WITH(write_synthetic_model(small_shape(DType::F32), "/nonexistent-dir/x.gguf"),
                      Catch::Contains("/nonexistent-dir/x.gguf"));
}

}  // namespace lpu::model
