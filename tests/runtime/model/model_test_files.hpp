#pragma once
// Helpers for model-file tests: a temporary directory, whole-file read/write,
// and a little-endian byte builder for hand-made (and deliberately broken) files.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>
#include "tests/support/temp_path.hpp"

namespace lpu::test {

using Bytes = std::vector<unsigned char>;


inline Bytes read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Writes the first `size` bytes of `bytes` (all when size is npos).
inline void write_bytes(const std::string& path, const Bytes& bytes, std::size_t size = std::string::npos) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(size == std::string::npos ? bytes.size() : size));
}

// Calls check(size) while `path` holds the first `size` bytes of `bytes`, for
// each of `sizes`. The file is written once and then shrunk, largest size
// first: thousands of truncations then cost no data writes.
template <typename Check>
void for_each_truncation(const std::string& path, const Bytes& bytes, std::vector<std::size_t> sizes, Check check) {
    std::sort(sizes.begin(), sizes.end(), std::greater<>());
    write_bytes(path, bytes);
    for (const auto size : sizes) {
        std::filesystem::resize_file(path, size);
        check(size);
    }
}

// Overwrites sizeof(T) bytes at `offset` with `value`, little-endian.
template <typename T>
void poke(Bytes& bytes, std::size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

// Offset of the first occurrence of `text`, or npos.
inline std::size_t find_text(const Bytes& bytes, std::string_view text) {
    const std::string_view haystack(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return haystack.find(text);
}

// Appends little-endian values (the test host is little-endian, as GGUF is).
// Bytes are pushed one at a time: GCC 12 reports a spurious -Wstringop-overflow
// for range inserts into an empty vector.
class ByteBuilder {
public:
    template <typename T>
    ByteBuilder& put(T value) {
        unsigned char raw_value[sizeof(T)];
        std::memcpy(raw_value, &value, sizeof(T));
        for (const unsigned char byte : raw_value) bytes_.push_back(byte);
        return *this;
    }
    ByteBuilder& text(std::string_view value) {  // GGUF string: u64 length + bytes
        put<std::uint64_t>(value.size());
        return raw(value);
    }
    ByteBuilder& raw(std::string_view value) {
        for (const char c : value) bytes_.push_back(static_cast<unsigned char>(c));
        return *this;
    }
    ByteBuilder& pad_to(std::size_t alignment) {
        while (bytes_.size() % alignment != 0) bytes_.push_back(0);
        return *this;
    }
    std::size_t size() const { return bytes_.size(); }
    const Bytes& bytes() const { return bytes_; }

private:
    Bytes bytes_;
};

}  // namespace lpu::test
