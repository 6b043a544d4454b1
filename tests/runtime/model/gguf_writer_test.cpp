#include "runtime/model/gguf_writer.hpp"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/legacy_blocks.hpp"
#include "runtime/model/gguf_reader.hpp"

namespace lpu::model {
namespace {

using kernels::DType;

class TempFile {
public:
    TempFile() : path_(std::filesystem::temp_directory_path() / ("lpu-gguf-writer-" + std::to_string(::getpid()) + ".gguf")) {}
    ~TempFile() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// A producer writing `values` in pieces, as a streaming producer would.
std::function<void(TensorSink&)> in_two_parts(std::vector<float> values) {
    return [values](TensorSink& sink) {
        const std::size_t half = values.size() / 2;
        sink.write(values.data(), half * sizeof(float));
        sink.write(values.data() + half, (values.size() - half) * sizeof(float));
    };
}

}  // namespace

TEST_CASE("gguf writer: every metadata type and tensor reads back", "[gguf]") {
    GgufWriter writer;
    writer.set_string("general.architecture", "llama");
    writer.set_u32("answer.u32", 4000000000u);
    writer.set_i32("answer.i32", -42);
    writer.set_f32("answer.f32", 0.25f);
    writer.set_bool("answer.true", true);
    writer.set_bool("answer.false", false);
    writer.set_string_array("list.strings", {"a", "", "\xE2\x96\x81" "b"});
    writer.set_f32_array("list.f32", {1.5f, -2.0f});
    writer.set_i32_array("list.i32", {1, -6, 3});
    writer.add_tensor("vector", DType::F32, {3}, in_two_parts({1.0f, 2.0f, 3.0f}));
    writer.add_tensor("matrix", DType::F16, {2, 3}, [](TensorSink& sink) {
        const std::uint16_t halves[6] = {0x3C00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600};
        sink.write(halves, sizeof halves);
    });
    kernels::BlockQ8_0 block{};
    block.scale_f16 = 0x3C00;
    block.quants[31] = -7;
    writer.add_tensor("quantized", DType::Q8_0, {32}, [block](TensorSink& sink) { sink.write(&block, sizeof block); });

    TempFile file;
    const auto size_bytes = writer.write(file.path());
    CHECK(size_bytes == std::filesystem::file_size(file.path()));
    CHECK(size_bytes % 32 == 0);

    const GgufFile gguf(file.path());
    CHECK(gguf.version() == 3);
    CHECK(gguf.keys() == std::vector<std::string>{"general.architecture", "answer.u32", "answer.i32", "answer.f32",
                                                  "answer.true", "answer.false", "list.strings", "list.f32",
                                                  "list.i32"});
    CHECK(gguf.get_string("general.architecture") == "llama");
    CHECK(gguf.get_u32("answer.u32") == 4000000000u);
    CHECK(gguf.get_i32("answer.i32") == -42);
    CHECK(gguf.get_f32("answer.f32") == 0.25f);
    CHECK(gguf.get_bool("answer.true"));
    CHECK_FALSE(gguf.get_bool("answer.false"));
    CHECK(gguf.get_string_array("list.strings") == std::vector<std::string>{"a", "", "\xE2\x96\x81" "b"});
    CHECK(gguf.get_f32_array("list.f32") == std::vector<float>{1.5f, -2.0f});
    CHECK(gguf.get_i32_array("list.i32") == std::vector<std::int32_t>{1, -6, 3});

    REQUIRE(gguf.tensors().size() == 3);
    const auto& vector = gguf.tensor("vector");
    CHECK(vector.dims == std::vector<std::int64_t>{3});
    float values[3];
    std::memcpy(values, vector.data, sizeof values);
    CHECK(values[2] == 3.0f);
    const auto& matrix = gguf.tensor("matrix");
    CHECK(matrix.dtype == DType::F16);
    CHECK(matrix.dims == std::vector<std::int64_t>{2, 3});
    CHECK(matrix.offset_bytes % 32 == 0);
    const auto& quantized = gguf.tensor("quantized");
    CHECK(quantized.dtype == DType::Q8_0);
    CHECK(quantized.size_bytes == sizeof(kernels::BlockQ8_0));
    CHECK(std::memcmp(quantized.data, &block, sizeof block) == 0);
}

TEST_CASE("gguf writer: refuses bad declarations and wrong-sized data", "[gguf]") {
    GgufWriter writer;
    writer.set_u32("key", 1);
    CHECK_THROWS_WITH(writer.set_i32("key", 2), Catch::Contains("'key' set twice"));
    const auto nothing = [](TensorSink&) {};
    CHECK_THROWS_WITH(writer.add_tensor("q", DType::Q8_0, {40, 2}, nothing), Catch::Contains("40"));
    CHECK_THROWS_WITH(writer.add_tensor("empty", DType::F32, {}, nothing), Catch::Contains("empty"));
    CHECK_THROWS_WITH(writer.add_tensor("zero", DType::F32, {4, 0}, nothing), Catch::Contains("dimension 1"));
    CHECK_THROWS_WITH(writer.add_tensor("huge", DType::F32, {1ll << 40, 1ll << 40}, nothing), Catch::Contains("huge"));
    writer.add_tensor("short", DType::F32, {4}, in_two_parts({1.0f, 2.0f}));
    CHECK_THROWS_WITH(writer.add_tensor("short", DType::F32, {4}, nothing), Catch::Contains("added twice"));

    TempFile file;
    CHECK_THROWS_WITH(writer.write(file.path()), Catch::Contains("'short' produced 8 bytes, expected 16"));
    CHECK_FALSE(std::filesystem::exists(file.path()));  // no half-written file is left behind
    CHECK_THROWS_WITH(writer.write("/nonexistent-dir/model.gguf"), Catch::Contains("/nonexistent-dir/model.gguf"));
}

}  // namespace lpu::model
