#include "runtime/model/model_quantizer.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>

#include "base/error.hpp"
#include "runtime/model/gguf_reader.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "tests/support/temp_path.hpp"

using namespace lpu;
using kernels::DType;

namespace {

model::SyntheticShape shape(DType dtype) {
    model::SyntheticShape synthetic;
    synthetic.dim = 256;
    synthetic.n_layers = 3;
    synthetic.n_heads = 4;
    synthetic.n_kv_heads = 2;
    synthetic.hidden_dim = 512;
    synthetic.vocab_size = 300;
    synthetic.dtype = dtype;
    synthetic.seed = 11;
    return synthetic;
}

bool same_tensors(const model::GgufFile& a, const model::GgufFile& b) {
    if (a.tensors().size() != b.tensors().size()) return false;
    for (std::size_t i = 0; i < a.tensors().size(); ++i) {
        const auto& x = a.tensors()[i];
        const auto& y = b.tensors()[i];
        if (x.name != y.name || x.dtype != y.dtype || x.dims != y.dims || x.size_bytes != y.size_bytes ||
            std::memcmp(x.data, y.data, x.size_bytes) != 0) {
            return false;
        }
    }
    return true;
}

}  // namespace

TEST_CASE("quantising a synthetic F32 model gives the synthetic model of that type, byte for byte", "[model][quantize]") {
    const test::TempDir dir("quantizer");
    model::write_synthetic_model(shape(DType::F32), dir.file("f32.gguf"));
    for (const auto& [recipe, dtype] : {std::pair{"q4_k", DType::Q4_K}, std::pair{"q5_0", DType::Q5_0}}) {
        INFO(recipe);
        model::write_synthetic_model(shape(dtype), dir.file("direct.gguf"));
        const auto summary = model::quantize_model_file(dir.file("f32.gguf"), dir.file("quantized.gguf"),
                                                        {model::quantize_recipe(recipe)});
        CHECK(same_tensors(model::GgufFile(dir.file("direct.gguf")), model::GgufFile(dir.file("quantized.gguf"))));
        CHECK(summary.matrices_by_type.at(dtype) == 2 + 3 * 7);
        CHECK(summary.output_bytes == std::filesystem::file_size(dir.file("quantized.gguf")));
    }
}

TEST_CASE("a quantised file keeps the metadata and the norms, and says what it is", "[model][quantize]") {
    const test::TempDir dir("quantizer");
    model::write_synthetic_model(shape(DType::F32), dir.file("f32.gguf"));
    model::quantize_model_file(dir.file("f32.gguf"), dir.file("q.gguf"), {model::quantize_recipe("q4_k_m")});
    const model::GgufFile original(dir.file("f32.gguf")), quantized(dir.file("q.gguf"));
    CHECK(quantized.get_string_array("tokenizer.ggml.tokens") == original.get_string_array("tokenizer.ggml.tokens"));
    CHECK(quantized.get_f32_array("tokenizer.ggml.scores") == original.get_f32_array("tokenizer.ggml.scores"));
    CHECK(quantized.get_string("general.architecture") == "llama");
    CHECK(quantized.get_u32("general.file_type") == 15);
    CHECK(quantized.get_u32("general.quantization_version") == 2);
    CHECK(quantized.tensor("blk.0.attn_norm.weight").dtype == DType::F32);
    CHECK(quantized.tensor("blk.0.attn_q.weight").dtype == DType::Q4_K);
    // 3 layers: use_more_bits picks only the last one (i >= 7 * 3 / 8).
    CHECK(quantized.tensor("blk.2.attn_v.weight").dtype == DType::Q6_K);
    CHECK(quantized.tensor("blk.2.ffn_down.weight").dtype == DType::Q6_K);
    CHECK(quantized.tensor("blk.0.attn_v.weight").dtype == DType::Q4_K);
    CHECK(quantized.tensor("blk.1.ffn_down.weight").dtype == DType::Q4_K);
    CHECK(quantized.tensor("output.weight").dtype == DType::Q6_K);
    // The runtime reads the mix, each matrix at its own type.
    const auto file = model::open_model(dir.file("q.gguf"));
    CHECK(file->config().weight_dtype == DType::Q4_K);
    CHECK(file->config().dtype_of(model::WeightTensor::wv, 2) == DType::Q6_K);
    CHECK(file->config().dtype_of(model::WeightTensor::wv, 0) == DType::Q4_K);
}

TEST_CASE("quantising refuses requantisation unless asked, and never overwrites its input", "[model][quantize]") {
    const test::TempDir dir("quantizer");
    model::write_synthetic_model(shape(DType::Q8_0), dir.file("q8.gguf"));
    CHECK_THROWS_WITH(model::quantize_model_file(dir.file("q8.gguf"), dir.file("q4.gguf"), {model::quantize_recipe("q4_k")}),
                      Catch::Contains("tensor 'token_embd.weight' is already Q8_0") &&
                          Catch::Contains("--allow-requantize"));
    CHECK_FALSE(std::filesystem::exists(dir.file("q4.gguf")));
    CHECK_NOTHROW(model::quantize_model_file(dir.file("q8.gguf"), dir.file("q4.gguf"),
                                             {model::quantize_recipe("q4_k"), /*allow_requantize=*/true}));
    // Same type: copied as it is, no requantisation needed.
    CHECK_NOTHROW(model::quantize_model_file(dir.file("q8.gguf"), dir.file("again.gguf"), {model::quantize_recipe("q8_0")}));
    CHECK(same_tensors(model::GgufFile(dir.file("q8.gguf")), model::GgufFile(dir.file("again.gguf"))));
    CHECK_THROWS_WITH(model::quantize_model_file(dir.file("q8.gguf"), dir.file("q8.gguf"), {model::quantize_recipe("q8_0")}),
                      Catch::Contains("is the input file"));
}
