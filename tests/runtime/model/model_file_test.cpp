// open_model on the shared real models: configs, tensor identity across the two
// formats, vocabularies.
#include "runtime/model/model_file.hpp"

#include <cstring>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/paths.hpp"

namespace lpu::test {
namespace {

bool same_bytes(const model::TensorView& a, const model::TensorView& b) {
    return a.dtype == b.dtype && a.rows == b.rows && a.cols == b.cols &&
           std::memcmp(a.data, b.data, a.size_bytes()) == 0;
}

}  // namespace

TEST_CASE("open_model: stories260K.gguf config and vocabulary", "[model]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    CHECK(file->format() == "gguf");
    const auto& config = file->config();
    CHECK(config.name == "llama");
    CHECK(config.dim == 64);
    CHECK(config.hidden_dim == 172);
    CHECK(config.n_layers == 5);
    CHECK(config.n_heads == 8);
    CHECK(config.n_kv_heads == 4);
    CHECK(config.head_dim() == 8);
    CHECK(config.vocab_size == 512);
    CHECK(config.context_length == 2048);
    CHECK(config.rms_norm_eps == Approx(1e-5f));
    CHECK(config.rope_theta == 10000.0f);
    CHECK_FALSE(config.tied_output);  // the file stores output.weight as a copy
    CHECK(config.weight_dtype == kernels::DType::F32);

    const auto vocabulary = file->tokenizer();
    REQUIRE(vocabulary.has_value());
    CHECK(vocabulary->pieces.size() == 512);
    CHECK(vocabulary->pieces[13] == "<0x0A>");
    CHECK(vocabulary->types[13] == model::TokenType::Byte);
    CHECK(vocabulary->types[1] == model::TokenType::Control);
    CHECK(vocabulary->bos_id == 1);
    CHECK(vocabulary->eos_id == 2);
    CHECK(vocabulary->add_bos);
    CHECK(vocabulary->add_space_prefix);
    CHECK(model::tensor_list(file->weights()).size() == 48);
}

TEST_CASE("open_model: stories260K tensors are bit-identical in GGUF and llama2.c", "[model]") {
    LPU_REQUIRE_SHARED_MODEL(gguf_path, "stories260K.gguf");
    LPU_REQUIRE_SHARED_MODEL(bin_path, "stories260K.bin");
    const auto gguf = model::open_model(gguf_path);
    const auto bin = model::open_model(bin_path);
    const auto& g = gguf->weights();
    const auto& b = bin->weights();
    CHECK(same_bytes(g.layers[2].wq, b.layers[2].wq));
    CHECK(same_bytes(g.token_embedding, b.token_embedding));
    CHECK(same_bytes(g.output, b.token_embedding));  // the GGUF's copy of the tied head
    // Every other tensor too, matched by name.
    const auto bin_tensors = model::tensor_list(b);
    const auto gguf_tensors = model::tensor_list(g);
    REQUIRE(gguf_tensors.size() == bin_tensors.size() + 1);
    for (std::size_t i = 0; i < bin_tensors.size(); ++i) {
        INFO(bin_tensors[i]->name);
        CHECK(gguf_tensors[i]->name == bin_tensors[i]->name);
        CHECK(same_bytes(*gguf_tensors[i], *bin_tensors[i]));
    }
}

TEST_CASE("open_model: llama-2-tiny-random.gguf is F16 with the Llama-2 vocabulary", "[model]") {
    LPU_REQUIRE_SHARED_MODEL(path, "llama-2-tiny-random.gguf");
    const auto file = model::open_model(path);
    const auto& config = file->config();
    CHECK(config.name == "LLaMA v2");
    CHECK(config.dim == 8);
    CHECK(config.n_layers == 1);
    CHECK(config.n_heads == 2);
    CHECK(config.vocab_size == 32000);
    CHECK(config.weight_dtype == kernels::DType::F16);
    const auto& weights = file->weights();
    CHECK(weights.token_embedding.dtype == kernels::DType::F16);
    CHECK(weights.token_embedding.rows == 32000);
    CHECK(weights.token_embedding.size_bytes() == 32000 * 8 * 2);
    CHECK(weights.final_norm.dtype == kernels::DType::F32);
    CHECK(weights.layers[0].w_down.rows == 8);
    CHECK(weights.layers[0].w_down.cols == 32);
    const auto vocabulary = file->tokenizer();
    REQUIRE(vocabulary.has_value());
    CHECK(vocabulary->pieces.size() == 32000);
    CHECK(vocabulary->pieces[3186] == "\xE2\x96\x81world");
}

TEST_CASE("open_model: missing and empty files are named", "[model]") {
    CHECK_THROWS_WITH(model::open_model("/nonexistent/model.gguf"), Catch::Contains("/nonexistent/model.gguf"));
}

}  // namespace lpu::test
