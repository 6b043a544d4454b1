#include "base/mapped_file.hpp"

#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "base/error.hpp"

namespace {

std::filesystem::path temp_path(const std::string& name) {
    return std::filesystem::temp_directory_path() / ("lpu-mapped-file-" + std::to_string(::getpid()) + "-" + name);
}

std::filesystem::path write_file(const std::string& name, const std::string& content) {
    const auto path = temp_path(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

std::span<const std::byte> as_bytes(const std::array<unsigned char, 16>& raw) {
    return std::as_bytes(std::span<const unsigned char>(raw));
}

}  // namespace

TEST_CASE("MappedFile maps the whole file read-only", "[base][mapped_file]") {
    const auto path = write_file("content", "hello, mapping");
    const lpu::MappedFile file(path.string());
    REQUIRE(file.size_bytes() == 14);
    CHECK(std::string(reinterpret_cast<const char*>(file.data()), file.size_bytes()) == "hello, mapping");
    CHECK(file.path() == path.string());
    std::filesystem::remove(path);
}

TEST_CASE("MappedFile is move-only and keeps the mapping when moved", "[base][mapped_file]") {
    const auto path = write_file("move", "abc");
    lpu::MappedFile first(path.string());
    const std::byte* data = first.data();
    lpu::MappedFile second(std::move(first));
    CHECK(second.data() == data);
    CHECK(second.size_bytes() == 3);
    const auto other_path = write_file("move-other", "xyzw");
    lpu::MappedFile third(other_path.string());
    third = std::move(second);
    CHECK(third.data() == data);
    CHECK(third.size_bytes() == 3);
    static_assert(!std::is_copy_constructible_v<lpu::MappedFile>);
    std::filesystem::remove(path);
    std::filesystem::remove(other_path);
}

TEST_CASE("MappedFile refuses missing, empty and non-regular files by name", "[base][mapped_file]") {
    const auto missing = temp_path("does-not-exist");
    CHECK_THROWS_WITH(lpu::MappedFile(missing.string()),
                      Catch::Contains(missing.string()) && Catch::Contains("No such file"));
    const auto empty = write_file("empty", "");
    CHECK_THROWS_WITH(lpu::MappedFile(empty.string()), Catch::Contains("is empty"));
    std::filesystem::remove(empty);
    CHECK_THROWS_WITH(lpu::MappedFile(std::filesystem::temp_directory_path().string()),
                      Catch::Contains("not a regular file"));
}

TEST_CASE("ByteReader reads little-endian values of every width", "[base][byte_reader]") {
    const std::array<unsigned char, 16> raw{0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x00,
                                            0x00, 0x80, 0x3f, 0xff, 0xff, 0xff, 0xff, 0xfe};
    lpu::ByteReader reader(as_bytes(raw), "test");
    CHECK(reader.u8("a") == 0x01);
    CHECK(reader.u16("b") == 0x1234);
    CHECK(reader.u32("c") == 0x12345678);
    CHECK(reader.f32("d") == 1.0f);  // 00 00 80 3f
    CHECK(reader.offset() == 11);
    CHECK(reader.i32("e") == -1);
    CHECK(reader.i8("f") == -2);
    CHECK(reader.remaining_bytes() == 0);
    CHECK(reader.read_since(7).size() == 9);

    lpu::ByteReader wide(as_bytes(raw), "test");
    wide.skip(8, "skip");
    CHECK(wide.u64("g") == 0xfeffffffff3f8000ull);
}

TEST_CASE("ByteReader names the field and offset of a truncated read", "[base][byte_reader]") {
    const std::array<unsigned char, 16> raw{};
    lpu::ByteReader reader(as_bytes(raw), "GGUF 'x'");
    reader.skip(13, "header");
    CHECK_THROWS_WITH(reader.u64(lpu::FieldName("tensor_info", 3, "name")),
                      "GGUF 'x': truncated at offset 13 while reading tensor_info[3].name (needs 8 bytes, 3 remain)");
    CHECK(reader.offset() == 13);  // a failed read consumes nothing
    CHECK_THROWS_AS(reader.chars(1ull << 62, "giant string"), lpu::Error);
    CHECK_THROWS_WITH(reader.fail(5, "bad value"), "GGUF 'x': at offset 5: bad value");
    CHECK(lpu::FieldName("key", 7).str() == "key[7]");
    CHECK(lpu::FieldName("plain").str() == "plain");
}
