// llama2.c version 0 checkpoints and tokenizer.bin files.
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/model/model_file.hpp"
#include "tests/runtime/model/model_test_files.hpp"
#include "tests/support/paths.hpp"

namespace lpu::test {
namespace {

struct Llama2cHeader {
    std::int32_t dim = 8, hidden_dim = 16, n_layers = 2, n_heads = 2, n_kv_heads = 1, vocab_size = 10, seq_len = 4;
};

// The number of floats a checkpoint with `h` holds after its header.
std::int64_t float_count(const Llama2cHeader& h) {
    const std::int64_t vocab = h.vocab_size < 0 ? -std::int64_t{h.vocab_size} : h.vocab_size;
    const std::int64_t kv_dim = h.dim / h.n_heads * h.n_kv_heads, head = h.dim / h.n_heads;
    return vocab * h.dim +
           h.n_layers * (2 * h.dim + 2 * h.dim * h.dim + 2 * kv_dim * h.dim + 3 * h.hidden_dim * h.dim) + h.dim +
           h.seq_len * head + (h.vocab_size < 0 ? vocab * h.dim : 0);
}

// A checkpoint whose k-th float is k, so every view's position can be checked.
Bytes llama2c_file(const Llama2cHeader& h, std::int64_t floats) {
    ByteBuilder b;
    b.put(h.dim).put(h.hidden_dim).put(h.n_layers).put(h.n_heads).put(h.n_kv_heads).put(h.vocab_size).put(h.seq_len);
    for (std::int64_t k = 0; k < floats; ++k) b.put(static_cast<float>(k));
    return b.bytes();
}

float first_value(const model::TensorView& view) {
    float value = 0;
    std::memcpy(&value, view.data, sizeof(value));
    return value;
}

std::string open_error(const std::string& path) {
    try {
        model::open_model(path);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

std::string tokenizer_error(const std::string& path, int vocab_size) {
    try {
        model::read_llama2c_tokenizer(path, vocab_size);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

}  // namespace

TEST_CASE("llama2.c: views follow the stacked layout", "[model][llama2c]") {
    TempDir dir("llama2c-layout");
    for (const bool separate_classifier : {false, true}) {
        Llama2cHeader h;
        if (separate_classifier) h.vocab_size = -h.vocab_size;
        const auto path = dir.file("tiny.bin");
        write_bytes(path, llama2c_file(h, float_count(h)));
        const auto file = model::open_model(path);
        const auto& config = file->config();
        CHECK(file->format() == "llama2c");
        CHECK(config.name == "tiny");
        CHECK(config.vocab_size == 10);
        CHECK(config.kv_dim() == 4);
        CHECK(config.tied_output == !separate_classifier);
        CHECK_FALSE(file->tokenizer().has_value());
        const auto& w = file->weights();
        // embedding 80 | rms_att 2x8 | wq 2x64 | wk 2x32 | wv 2x32 | wo 2x64 | rms_ffn 2x8 | w1 2x128 | w2 | w3 | final
        // 8 | freq 16
        CHECK(first_value(w.token_embedding) == 0);
        CHECK(first_value(w.layers[1].attn_norm) == 88);
        CHECK(first_value(w.layers[1].wq) == 96 + 64);
        CHECK(first_value(w.layers[0].wk) == 224);
        CHECK(first_value(w.layers[1].wv) == 288 + 32);
        CHECK(first_value(w.layers[1].wo) == 352 + 64);
        CHECK(first_value(w.layers[0].ffn_norm) == 480);
        CHECK(first_value(w.layers[1].w_gate) == 496 + 128);
        CHECK(first_value(w.layers[0].w_down) == 752);
        CHECK(w.layers[0].w_down.rows == 8);
        CHECK(w.layers[0].w_down.cols == 16);
        CHECK(first_value(w.layers[1].w_up) == 1008 + 128);
        CHECK(first_value(w.final_norm) == 1264);
        CHECK(w.layers[1].wk.name == "blk.1.attn_k.weight");
        if (separate_classifier) {
            CHECK(first_value(w.output) == 1264 + 8 + 16);
            CHECK(model::tensor_list(w).size() == 1 + 2 * 9 + 2);
        } else {
            CHECK(w.output.data == w.token_embedding.data);
            CHECK(model::tensor_list(w).size() == 1 + 2 * 9 + 1);
        }
    }
}

TEST_CASE("llama2.c: the file size must be exactly what the header implies", "[model][llama2c]") {
    TempDir dir("llama2c-size");
    const Llama2cHeader h;
    const auto path = dir.file("sized.bin");
    const auto bytes = llama2c_file(h, float_count(h) + 1);
    write_bytes(path, bytes);
    CHECK_THAT(open_error(path), Catch::Contains("implies 5180 bytes but the file has 5184 (extra bytes"));
    // Every truncation, header included, is refused.
    std::vector<std::size_t> sizes;
    for (std::size_t size = 1; size + 4 < bytes.size(); ++size) sizes.push_back(size);
    std::size_t not_refused = 0;
    for_each_truncation(path, bytes, sizes, [&](std::size_t) { not_refused += open_error(path).empty() ? 1 : 0; });
    CHECK(not_refused == 0);
    write_bytes(path, bytes, 20);
    CHECK_THAT(open_error(path), Catch::Contains("truncated at offset 20 while reading vocab_size"));
    write_bytes(path, bytes, 1000);
    CHECK_THAT(open_error(path), Catch::Contains("but the file has 1000 (truncated)"));
}

TEST_CASE("llama2.c: bad header values are refused by name", "[model][llama2c]") {
    TempDir dir("llama2c-header");
    const auto path = dir.file("bad.bin");
    auto error_with = [&](auto change) {
        Llama2cHeader h;
        change(h);
        write_bytes(path, llama2c_file(h, 64));
        return open_error(path);
    };
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.dim = 0; }), Catch::Contains("dim is 0"));
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.n_layers = -2; }), Catch::Contains("n_layers is -2"));
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.n_heads = 3; }),
               Catch::Contains("dim 8 is not divisible by n_heads 3"));
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.n_kv_heads = 3; }),
               Catch::Contains("n_heads 2 is not divisible by n_kv_heads 3"));
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.vocab_size = std::numeric_limits<std::int32_t>::min(); }),
               Catch::Contains("vocab_size is 0"));
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.seq_len = 1 << 30; }), Catch::Contains("context_length"));
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.dim = 0x616b3432; }),  // "ak42": export version 1+
               Catch::Contains("version 1 or later"));
    CHECK_THAT(error_with([](Llama2cHeader& h) { h.dim = 1 << 30; }), Catch::Contains("llama2.c checkpoint '" + path));
}

TEST_CASE("llama2.c: stories260K.bin", "[model][llama2c]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.bin");
    const auto file = model::open_model(path);
    const auto& config = file->config();
    CHECK(config.name == "stories260K");
    CHECK(config.dim == 64);
    CHECK(config.hidden_dim == 172);
    CHECK(config.n_layers == 5);
    CHECK(config.n_heads == 8);
    CHECK(config.n_kv_heads == 4);
    CHECK(config.vocab_size == 512);
    CHECK(config.context_length == 512);
    CHECK(config.tied_output);
    CHECK(config.weight_dtype == kernels::DType::F32);
    CHECK(file->weights().output.data == file->weights().token_embedding.data);
}

TEST_CASE("llama2.c tokenizer: tok512.bin", "[model][llama2c][tokenizer]") {
    LPU_REQUIRE_SHARED_MODEL(path, "tok512.bin");
    const auto data = model::read_llama2c_tokenizer(path, 512);
    REQUIRE(data.pieces.size() == 512);
    REQUIRE(data.scores.size() == 512);
    CHECK(data.types.empty());
    CHECK(data.pieces[13] == "<0x0A>");
    CHECK(data.pieces[1] == "\n<s>\n");
    CHECK(data.pieces[300] == " ha");
    CHECK(data.scores[300] == -41.0f);
    CHECK(data.bos_id == 1);
    CHECK(data.eos_id == 2);
    CHECK_THAT(tokenizer_error(path, 511), Catch::Contains("more tokens than the model's vocab_size 511"));
    CHECK_THAT(tokenizer_error(path, 100000), Catch::Contains("cannot hold 100000 tokens"));
    CHECK_THAT(tokenizer_error(path, 0), Catch::Contains("vocab_size 0 must be positive"));
}

TEST_CASE("llama2.c tokenizer: bad files are refused by name", "[model][llama2c][tokenizer]") {
    TempDir dir("llama2c-tokenizer");
    const auto path = dir.file("tokenizer.bin");
    auto tokenizer = [](std::int32_t max_length, std::int32_t second_length) {
        ByteBuilder b;
        b.put(max_length).put(0.5f).put<std::int32_t>(1).raw("a").put(-1.0f).put(second_length).raw("bc");
        return b.bytes();
    };
    write_bytes(path, tokenizer(4, 2));
    const auto good = model::read_llama2c_tokenizer(path, 2);
    CHECK(good.pieces == std::vector<std::string>{"a", "bc"});
    CHECK(good.scores == std::vector<float>{0.5f, -1.0f});

    write_bytes(path, tokenizer(4, 9));
    CHECK_THAT(tokenizer_error(path, 2), Catch::Contains("token[1] length 9 is outside 0 to max_token_length 4"));
    write_bytes(path, tokenizer(4, -1));
    CHECK_THAT(tokenizer_error(path, 2), Catch::Contains("token[1] length -1"));
    write_bytes(path, tokenizer(1, 2));
    CHECK_THAT(tokenizer_error(path, 2), Catch::Contains("token[1] length 2 is outside 0 to max_token_length 1"));
    write_bytes(path, tokenizer(0, 2));
    CHECK_THAT(tokenizer_error(path, 2), Catch::Contains("max_token_length 0"));
    const auto bytes = tokenizer(4, 2);
    write_bytes(path, bytes, bytes.size() - 1);
    CHECK_THAT(tokenizer_error(path, 2), Catch::Contains("while reading token[1].bytes"));
    for (std::size_t size = 1; size < bytes.size(); ++size) {
        write_bytes(path, bytes, size);
        INFO("size " << size);
        CHECK_FALSE(tokenizer_error(path, 2).empty());
    }
}

}  // namespace lpu::test
