// The GGUF reader: real files, every value type, and broken files of every kind.
#include "runtime/model/gguf_reader.hpp"

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

using model::GgufFile;
using model::gguf::ValueType;

constexpr std::uint32_t kF32 = 0, kF16 = 1, kQ8_0 = 8, kQ4_K = 12, kQ6_K = 14, kBF16 = 30;

ByteBuilder gguf_start(std::uint64_t tensors, std::uint64_t metadata, std::uint32_t version = 3) {
    ByteBuilder b;
    b.raw("GGUF").put<std::uint32_t>(version).put<std::uint64_t>(tensors).put<std::uint64_t>(metadata);
    return b;
}

struct TensorSpec {
    std::string name = "t";
    std::uint32_t type = kF32;
    std::vector<std::uint64_t> dims{8};
    std::uint64_t offset = 0;
};

// A GGUF holding the tensors described by `specs` and `data_bytes` of data, with
// general.alignment set when `alignment` is non-zero.
Bytes tensors_gguf(const std::vector<TensorSpec>& specs, std::size_t data_bytes, std::uint32_t alignment = 0) {
    auto b = gguf_start(specs.size(), alignment ? 1 : 0);
    if (alignment) b.text("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(alignment);
    for (const auto& spec : specs) {
        b.text(spec.name).put<std::uint32_t>(static_cast<std::uint32_t>(spec.dims.size()));
        for (const auto dim : spec.dims) b.put<std::uint64_t>(dim);
        b.put<std::uint32_t>(spec.type).put<std::uint64_t>(spec.offset);
    }
    b.pad_to(alignment ? alignment : 32);
    for (std::size_t i = 0; i < data_bytes; ++i) b.put<std::uint8_t>(static_cast<std::uint8_t>(i));
    return b.bytes();
}

Bytes one_tensor_gguf(const TensorSpec& spec, std::size_t data_bytes, std::uint32_t alignment = 0) {
    return tensors_gguf({spec}, data_bytes, alignment);
}

// Writes `bytes` and parses them as GGUF; returns the error message ("" when it parsed).
std::string gguf_error(const TempDir& dir, const Bytes& bytes) {
    const auto path = dir.file("case.gguf");
    write_bytes(path, bytes);
    try {
        GgufFile file(path);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

// Where tensor `name`'s info record starts: its u64 name length, then the name.
std::size_t tensor_info_offset(const Bytes& bytes, const std::string& name) {
    std::string record(8, '\0');
    record[0] = static_cast<char>(name.size());
    const std::size_t at = find_text(bytes, record + name);
    REQUIRE(at != std::string::npos);
    return at;
}

}  // namespace

TEST_CASE("GGUF: stories260K metadata and tensors", "[model][gguf]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const GgufFile file(path);
    CHECK(file.version() == 3);
    CHECK(file.alignment_bytes() == 32);
    CHECK(file.data_offset_bytes() == 14176);
    CHECK(file.get_string("general.architecture") == "llama");
    CHECK(file.get_u32("llama.block_count") == 5);
    CHECK(file.get_i32("llama.embedding_length") == 64);
    CHECK(file.get_f32("llama.attention.layer_norm_rms_epsilon") == Approx(1e-5f));
    CHECK(file.get_u32("tokenizer.ggml.seperator_token_id") == 4294967295u);
    CHECK_THROWS_WITH(file.get_i32("tokenizer.ggml.seperator_token_id"), Catch::Contains("does not fit in i32"));
    CHECK_THROWS_WITH(file.get_string("llama.block_count"), Catch::Contains("is u32, expected a string"));
    CHECK_THROWS_WITH(file.get_u32("no.such.key"), Catch::Contains("missing metadata key 'no.such.key'"));
    const auto tokens = file.get_string_array("tokenizer.ggml.tokens");
    REQUIRE(tokens.size() == 512);
    CHECK(tokens[1] == "<s>");
    CHECK(tokens[13] == "<0x0A>");
    CHECK(file.get_f32_array("tokenizer.ggml.scores").size() == 512);
    CHECK(file.get_i32_array("tokenizer.ggml.token_type")[0] == 2);
    CHECK(file.keys().size() == 19);

    REQUIRE(file.tensors().size() == 48);
    const auto& wq = file.tensor("blk.2.attn_q.weight");
    CHECK(wq.dims == std::vector<std::int64_t>{64, 64});
    CHECK(wq.dtype == kernels::DType::F32);
    CHECK(wq.size_bytes == 64 * 64 * 4);
    const auto& embedding = file.tensor("token_embd.weight");
    CHECK(embedding.dims == std::vector<std::int64_t>{64, 512});
    CHECK(embedding.offset_bytes == 0);
    CHECK(file.find_tensor("blk.9.attn_q.weight") == nullptr);
    CHECK_THROWS_WITH(file.tensor("missing.weight"), Catch::Contains("missing tensor 'missing.weight'"));
}

TEST_CASE("GGUF: every value type, nested arrays and integer widening", "[model][gguf]") {
    TempDir dir("gguf-values");
    auto b = gguf_start(0, 17, 2);  // version 2 has the same layout
    b.text("u8").put<std::uint32_t>(0).put<std::uint8_t>(200);
    b.text("i8").put<std::uint32_t>(1).put<std::int8_t>(-5);
    b.text("u16").put<std::uint32_t>(2).put<std::uint16_t>(60000);
    b.text("i16").put<std::uint32_t>(3).put<std::int16_t>(-300);
    b.text("u32").put<std::uint32_t>(4).put<std::uint32_t>(4000000000u);
    b.text("i32").put<std::uint32_t>(5).put<std::int32_t>(-7);
    b.text("f32").put<std::uint32_t>(6).put<float>(1.5f);
    b.text("bool").put<std::uint32_t>(7).put<std::uint8_t>(1);
    b.text("str").put<std::uint32_t>(8).text("hi");
    b.text("u64").put<std::uint32_t>(10).put<std::uint64_t>(1ull << 40);
    b.text("i64").put<std::uint32_t>(11).put<std::int64_t>(-(1ll << 40));
    b.text("f64").put<std::uint32_t>(12).put<double>(0.25);
    b.text("arr.str").put<std::uint32_t>(9).put<std::uint32_t>(8).put<std::uint64_t>(2).text("a").text("bc");
    b.text("arr.f32").put<std::uint32_t>(9).put<std::uint32_t>(6).put<std::uint64_t>(2).put<float>(1.0f).put<float>(
        2.0f);
    b.text("arr.i16")
        .put<std::uint32_t>(9)
        .put<std::uint32_t>(3)
        .put<std::uint64_t>(2)
        .put<std::int16_t>(-1)
        .put<std::int16_t>(2);
    b.text("arr.nested").put<std::uint32_t>(9).put<std::uint32_t>(9).put<std::uint64_t>(2);
    b.put<std::uint32_t>(0).put<std::uint64_t>(2).put<std::uint8_t>(1).put<std::uint8_t>(2);
    b.put<std::uint32_t>(8).put<std::uint64_t>(1).text("deep");
    b.text("arr.u64").put<std::uint32_t>(9).put<std::uint32_t>(10).put<std::uint64_t>(1).put<std::uint64_t>(1ull << 33);
    const auto path = dir.file("values.gguf");
    write_bytes(path, b.bytes());

    const GgufFile file(path);
    CHECK(file.version() == 2);
    CHECK(file.tensors().empty());
    CHECK(file.get_u32("u8") == 200);
    CHECK(file.get_i32("i8") == -5);
    CHECK(file.get_i32("u16") == 60000);
    CHECK(file.get_i32("i16") == -300);
    CHECK(file.get_u32("u32") == 4000000000u);
    CHECK(file.get_i32("i32") == -7);
    CHECK(file.get_f32("f32") == 1.5f);
    CHECK(file.get_bool("bool"));
    CHECK(file.get_string("str") == "hi");
    CHECK(file.get_f32("f64") == 0.25f);
    CHECK_THROWS_WITH(file.get_u32("i8"), Catch::Contains("'i8' is -5, which does not fit in u32"));
    CHECK_THROWS_WITH(file.get_i32("u32"), Catch::Contains("does not fit in i32"));
    CHECK_THROWS_WITH(file.get_u32("u64"), Catch::Contains("does not fit in u32"));
    CHECK_THROWS_WITH(file.get_i32("i64"), Catch::Contains("does not fit in i32"));
    CHECK_THROWS_WITH(file.get_f32("i32"), Catch::Contains("expected f32 or f64"));
    CHECK_THROWS_WITH(file.get_bool("u8"), Catch::Contains("expected bool"));
    CHECK(file.get_string_array("arr.str") == std::vector<std::string>{"a", "bc"});
    CHECK(file.get_f32_array("arr.f32") == std::vector<float>{1.0f, 2.0f});
    CHECK(file.get_i32_array("arr.i16") == std::vector<std::int32_t>{-1, 2});
    CHECK_THROWS_WITH(file.get_i32_array("arr.u64"), Catch::Contains("arr.u64[0]' is 8589934592"));
    CHECK_THROWS_WITH(file.get_string_array("arr.f32"), Catch::Contains("is array of f32, expected array of string"));
    CHECK(file.array_length("arr.nested") == 2);
    CHECK(file.find("arr.nested")->element_type == ValueType::Array);
    CHECK(file.find("arr.nested")->payload.size() == (4 + 8 + 2) + (4 + 8 + 8 + 4));
}

TEST_CASE("GGUF: bad headers and metadata are refused by name", "[model][gguf]") {
    TempDir dir("gguf-bad-header");
    auto with_value = [](std::uint32_t type, auto write_value) {
        auto b = gguf_start(0, 1);
        b.text("key").put<std::uint32_t>(type);
        write_value(b);
        return b.bytes();
    };
    auto wrong_magic = gguf_start(0, 0).bytes();
    wrong_magic[0] = 'X';
    CHECK_THAT(gguf_error(dir, wrong_magic), Catch::Contains("not a GGUF file"));
    CHECK_THAT(gguf_error(dir, gguf_start(0, 0, 1).bytes()), Catch::Contains("unsupported GGUF version 1"));
    CHECK_THAT(gguf_error(dir, gguf_start(0, 0, 4).bytes()), Catch::Contains("unsupported GGUF version 4"));
    CHECK_THAT(gguf_error(dir, gguf_start(1ull << 60, 0).bytes()), Catch::Contains("tensor_count 1152921504606846976"));
    CHECK_THAT(gguf_error(dir, gguf_start(0, ~0ull).bytes()), Catch::Contains("metadata_kv_count"));
    CHECK_THAT(gguf_error(dir, gguf_start(0, 2).bytes()), Catch::Contains("metadata_kv_count 2 cannot fit"));
    CHECK_THAT(
        gguf_error(dir, gguf_start(0, 1).put<std::uint64_t>(1ull << 62).raw("key.and.some.more").bytes()),
        Catch::Contains(
            "truncated at offset 32 while reading metadata[0].key (needs 4611686018427387904 bytes, 17 remain)"));
    CHECK_THAT(gguf_error(dir, with_value(13, [](ByteBuilder& b) { b.put<std::uint32_t>(0); })),
               Catch::Contains("metadata 'key' has unknown value type 13"));
    CHECK_THAT(gguf_error(dir, with_value(8, [](ByteBuilder& b) { b.put<std::uint64_t>(~0ull); })),
               Catch::Contains("while reading key"));
    CHECK_THAT(gguf_error(dir, with_value(7, [](ByteBuilder& b) { b.put<std::uint8_t>(2); })),
               Catch::Contains("bool 'key' is neither 0 nor 1"));
    CHECK_THAT(
        gguf_error(dir, with_value(9,
                                   [](ByteBuilder& b) {
                                       b.put<std::uint32_t>(8).put<std::uint64_t>(1ull << 60).put<std::uint64_t>(0);
                                   })),
        Catch::Contains("array 'key' claims 1152921504606846976 string elements"));
    CHECK_THAT(
        gguf_error(
            dir, with_value(9, [](ByteBuilder& b) { b.put<std::uint32_t>(6).put<std::uint64_t>(3).put<float>(1.0f); })),
        Catch::Contains("array 'key' claims 3 f32 elements"));
    CHECK_THAT(
        gguf_error(
            dir,
            with_value(
                9,
                [](ByteBuilder& b) {
                    b.put<std::uint32_t>(8).put<std::uint64_t>(2).text("ok").put<std::uint64_t>(1ull << 40).raw("x");
                })),
        Catch::Contains("while reading key[1]"));
    CHECK_THAT(gguf_error(dir, with_value(9, [](ByteBuilder& b) { b.put<std::uint32_t>(77).put<std::uint64_t>(0); })),
               Catch::Contains("unknown element type 77"));
    CHECK_THAT(gguf_error(dir, with_value(9,
                                          [](ByteBuilder& b) {
                                              for (int depth = 0; depth < 20; ++depth)
                                                  b.put<std::uint32_t>(9).put<std::uint64_t>(1);
                                              b.put<std::uint32_t>(0).put<std::uint64_t>(0);
                                          })),
               Catch::Contains("nested more than 8 deep"));
    auto duplicate = gguf_start(0, 2);
    duplicate.text("k").put<std::uint32_t>(0).put<std::uint8_t>(1).text("k").put<std::uint32_t>(0).put<std::uint8_t>(2);
    CHECK_THAT(gguf_error(dir, duplicate.bytes()), Catch::Contains("duplicate metadata key 'k'"));
    auto bad_alignment = gguf_start(0, 1);
    bad_alignment.text("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(48);
    CHECK_THAT(gguf_error(dir, bad_alignment.bytes()), Catch::Contains("general.alignment 48 must be a power of two"));
}

TEST_CASE("GGUF: a K-quant tensor whose bytes disagree with its shape is refused by name", "[model][gguf]") {
    TempDir dir("gguf-bad-kquant");
    // [256 x 4] Q4_K is 4 super-blocks of 144 bytes.
    CHECK(gguf_error(dir, tensors_gguf({{"w", kQ4_K, {256, 4}, 0}, {"n", kF32, {8}, 576}}, 608)).empty());
    // The next tensor starts after 3 super-blocks: the shape claims one more.
    CHECK_THAT(gguf_error(dir, tensors_gguf({{"blk.0.ffn_down.weight", kQ4_K, {256, 4}, 0}, {"n", kF32, {8}, 448}}, 608)),
               Catch::Contains("tensor 'blk.0.ffn_down.weight' ([256, 4] Q4_K, 576 bytes at data offset 0) runs into "
                               "tensor 'n' at data offset 448: its byte size disagrees with its type and shape"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"blk.0.attn_v.weight", kQ6_K, {256, 2}, 0}, 300)),
               Catch::Contains("tensor 'blk.0.attn_v.weight' ([256, 2] Q6_K, 420 bytes at data offset 0) extends past"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"blk.0.attn_q.weight", kQ4_K, {320, 2}, 0}, 1024)),
               Catch::Contains("tensor 'blk.0.attn_q.weight' is Q4_K with rows of 320 elements, not a multiple of its "
                               "block of 256"));
}

TEST_CASE("GGUF: tensor types, shapes, alignment and extents are checked", "[model][gguf]") {
    TempDir dir("gguf-bad-tensor");
    CHECK(gguf_error(dir, one_tensor_gguf({}, 32)).empty());
    CHECK(gguf_error(dir, one_tensor_gguf({"bf", kBF16, {32, 2}, 0}, 128)).empty());
    CHECK(gguf_error(dir, one_tensor_gguf({"h", kF16, {4}, 0}, 8)).empty());
    CHECK(gguf_error(dir, one_tensor_gguf({"q", kQ8_0, {64, 2}, 0}, 4 * 34)).empty());
    CHECK(gguf_error(dir, one_tensor_gguf({"a", kF32, {8}, 64}, 128, 64)).empty());

    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"blk.0.attn_q.weight", 23, {256}, 0}, 256)),
               Catch::Contains("tensor 'blk.0.attn_q.weight' has type 23 (IQ4_XS), which is not supported"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", 99, {8}, 0}, 64)), Catch::Contains("has type 99,"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"q", kQ8_0, {48}, 0}, 64)),
               Catch::Contains("rows of 48 elements, not a multiple of its block of 32"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", kF32, {8, 1, 1, 1, 1}, 0}, 64)), Catch::Contains("n_dims 5"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", kF32, {8, 0}, 0}, 64)), Catch::Contains("dimension 1 is 0"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", kF32, {1ull << 32, 1ull << 32, 1ull << 32}, 0}, 64)),
               Catch::Contains("dimension 0 is 4294967296"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", kF32, {8}, 1ull << 62}, 64)),
               Catch::Contains("extends past the end of the data section"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", kF32, {8}, 64}, 64)),
               Catch::Contains("extends past the end of the data section (64 bytes)"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", kF32, {8}, 16}, 64)),
               Catch::Contains("offset 16 is not a multiple of the alignment 32"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({"t", kF32, {8}, 4}, 64, 2)),
               Catch::Contains("not aligned for F32 elements"));
    CHECK_THAT(gguf_error(dir, one_tensor_gguf({}, 0)), Catch::Contains("the data section would start at offset"));

    auto twice = gguf_start(2, 0);
    for (int i = 0; i < 2; ++i) {
        twice.text("same").put<std::uint32_t>(1).put<std::uint64_t>(8).put<std::uint32_t>(kF32).put<std::uint64_t>(0);
    }
    twice.pad_to(32).put<std::uint64_t>(0).put<std::uint64_t>(0).put<std::uint64_t>(0).put<std::uint64_t>(0);
    CHECK_THAT(gguf_error(dir, twice.bytes()), Catch::Contains("duplicate tensor name 'same'"));
}

TEST_CASE("GGUF: every truncation of stories260K throws lpu::Error", "[model][gguf]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    TempDir dir("gguf-truncate");
    const auto bytes = read_bytes(path);
    const auto truncated = dir.file("truncated.gguf");
    std::vector<std::size_t> sizes;
    for (std::size_t size = 0; size < 4096; ++size) sizes.push_back(size);
    // Beyond the first 4 KiB: across the rest of the metadata, the tensor infos,
    // the data section's start and the data itself, down to one byte short.
    for (std::size_t size = 4096; size < bytes.size(); size += 4099) sizes.push_back(size);
    for (std::size_t size = 14140; size < 14200; ++size) sizes.push_back(size);
    sizes.push_back(bytes.size() - 1);
    std::size_t not_refused = 0, opened_size = 0;
    for_each_truncation(truncated, bytes, sizes, [&](std::size_t size) {
        try {
            model::open_model(truncated);
            ++not_refused;
            opened_size = size;
        } catch (const Error&) {
        }
    });
    INFO("a truncation that opened: " << opened_size << " bytes");
    CHECK(not_refused == 0);
}

TEST_CASE("GGUF: mutated stories260K fields are refused by name", "[model][gguf]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    TempDir dir("gguf-mutate");
    const auto original = read_bytes(path);
    const auto model_error = [&](const Bytes& bytes) -> std::string {
        const auto mutated = dir.file("mutated.gguf");
        write_bytes(mutated, bytes);
        try {
            model::open_model(mutated);
            return "";
        } catch (const Error& e) {
            return e.what();
        }
    };
    REQUIRE(model_error(original).empty());
    auto mutate = [&](auto change) {
        auto bytes = original;
        change(bytes);
        return model_error(bytes);
    };
    // The first metadata entry is tokenizer.ggml.tokens: its array length sits
    // after the key (8 + 21 bytes) and the two type fields.
    constexpr std::size_t kTokensCount = 24 + 8 + 21 + 4 + 4;
    CHECK_THAT(mutate([](Bytes& b) { poke<std::uint64_t>(b, kTokensCount, 1ull << 60); }),
               Catch::Contains("array 'tokenizer.ggml.tokens' claims 1152921504606846976 string elements"));
    CHECK_THAT(mutate([](Bytes& b) { poke<std::uint64_t>(b, kTokensCount + 8, 1ull << 50); }),
               Catch::Contains("while reading tokenizer.ggml.tokens[0]"));
    CHECK_THAT(mutate([](Bytes& b) { poke<std::uint64_t>(b, 8, 1ull << 40); }), Catch::Contains("tensor_count"));
    CHECK_THAT(mutate([](Bytes& b) { poke<std::uint64_t>(b, 16, 1ull << 40); }), Catch::Contains("metadata_kv_count"));
    CHECK_THAT(mutate([](Bytes& b) { std::memcpy(b.data() + find_text(b, "llama\x0c"), "gptj!", 5); }),
               Catch::Contains("general.architecture is 'gptj!'; supported: llama"));

    const std::size_t embd = tensor_info_offset(original, "token_embd.weight");
    const std::size_t embd_dims = embd + 8 + 17 + 4, embd_type = embd_dims + 16, embd_offset = embd_type + 4;
    CHECK_THAT(mutate([&](Bytes& b) { poke<std::uint32_t>(b, embd + 8 + 17, 7); }),
               Catch::Contains("tensor 'token_embd.weight' has n_dims 7"));
    CHECK_THAT(mutate([&](Bytes& b) { poke<std::uint64_t>(b, embd_dims, 1ull << 61); }),
               Catch::Contains("tensor 'token_embd.weight' dimension 0 is 2305843009213693952"));
    CHECK_THAT(mutate([&](Bytes& b) { poke<std::uint32_t>(b, embd_type, 16); }),
               Catch::Contains("'token_embd.weight' has type 16 (IQ2_XXS)"));
    CHECK_THAT(mutate([&](Bytes& b) { poke<std::uint32_t>(b, embd_type, 12); }),
               Catch::Contains("'token_embd.weight' is Q4_K with rows of 64 elements, not a multiple of its block of 256"));
    CHECK_THAT(mutate([&](Bytes& b) { poke<std::uint64_t>(b, embd_offset, 1ull << 40); }),
               Catch::Contains("'token_embd.weight'") && Catch::Contains("extends past the end"));
    CHECK_THAT(mutate([&](Bytes& b) { poke<std::uint64_t>(b, embd_offset, 4); }),
               Catch::Contains("'token_embd.weight' offset 4 is not a multiple of the alignment 32"));

    // Swapping attn_k's dims keeps the byte count but breaks the shape.
    const std::size_t wk = tensor_info_offset(original, "blk.0.attn_k.weight");
    const std::size_t wk_dims = wk + 8 + 19 + 4;
    CHECK_THAT(mutate([&](Bytes& b) {
                   poke<std::uint64_t>(b, wk_dims, 32);
                   poke<std::uint64_t>(b, wk_dims + 8, 64);
               }),
               Catch::Contains("tensor 'blk.0.attn_k.weight' has shape [32, 64] (ne0 first), expected [64, 32]"));
    // Renaming a tensor (same length) makes it missing.
    CHECK_THAT(mutate([&](Bytes& b) { std::memcpy(b.data() + find_text(b, "blk.4.ffn_up"), "blk.4.ffn_uq", 12); }),
               Catch::Contains("missing tensor 'blk.4.ffn_up.weight'"));
    // The tokenizer must be SentencePiece.
    CHECK_THAT(mutate([&](Bytes& b) {
                   const std::size_t model_key = find_text(b, "tokenizer.ggml.model");
                   std::memcpy(b.data() + model_key + 20 + 4 + 8, "gpt2!", 5);
               }),
               Catch::Contains("tokenizer.ggml.model is 'gpt2!'"));
}

}  // namespace lpu::test
