#pragma once
// Read-only access to binary files: a whole-file memory mapping, and a cursor
// that reads little-endian values from it with a bounds check on every read.
// Model files are mapped rather than read so that weights are never copied and
// a file larger than RAM still opens; the cursor is what makes parsing untrusted
// headers safe: a short or lying file produces an lpu::Error naming the field,
// never a read past the end.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <string_view>

namespace lpu {

class MappedFile {
public:
    // Maps all of `path` read-only. Throws lpu::Error naming the path when it is
    // missing, unreadable, not a regular file, or empty.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return path_; }
    std::span<const std::byte> bytes() const { return {data_, size_bytes_}; }
    const std::byte* data() const { return data_; }
    std::size_t size_bytes() const { return size_bytes_; }

private:
    void unmap() noexcept;

    std::string path_;
    const std::byte* data_ = nullptr;
    std::size_t size_bytes_ = 0;
};

// The name of the field being read, for error messages. Rendered only when a
// read fails, so naming every element of a 32,000-entry array costs nothing:
// {"tensor_info", 3, "name"} reads "tensor_info[3].name".
struct FieldName {
    std::string_view name;
    std::int64_t index = -1;       // -1: not an element of an array
    std::string_view member = {};  // empty: the element itself

    // Implicit, so that plain names read naturally: reader.u32("version").
    FieldName(const char* field) : name(field) {}
    FieldName(std::string_view field) : name(field) {}
    FieldName(const std::string& field) : name(field) {}
    FieldName(std::string_view field, std::int64_t element, std::string_view member_name = {})
        : name(field), index(element), member(member_name) {}

    std::string str() const;
};

// A cursor over little-endian bytes. Every read checks the bytes remaining and
// throws lpu::Error "<context>: truncated at offset N while reading <field> (needs
// K bytes, M remain)". Offsets are relative to the start of `bytes`, which for a
// whole mapped file are file offsets.
class ByteReader {
public:
    ByteReader(std::span<const std::byte> bytes, std::string context);

    std::uint8_t u8(FieldName field);
    std::int8_t i8(FieldName field);
    std::uint16_t u16(FieldName field);
    std::int16_t i16(FieldName field);
    std::uint32_t u32(FieldName field);
    std::int32_t i32(FieldName field);
    std::uint64_t u64(FieldName field);
    std::int64_t i64(FieldName field);
    float f32(FieldName field);
    double f64(FieldName field);

    // `size_bytes` raw bytes; the span points into the underlying buffer.
    std::span<const std::byte> bytes(std::uint64_t size_bytes, FieldName field);
    // `size_bytes` bytes viewed as characters (no encoding check).
    std::string_view chars(std::uint64_t size_bytes, FieldName field);
    void skip(std::uint64_t size_bytes, FieldName field);
    // The bytes read since `start_offset` (an earlier offset()), e.g. a whole
    // variable-length record after it was validated element by element.
    std::span<const std::byte> read_since(std::size_t start_offset) const {
        return bytes_.subspan(start_offset, offset_ - start_offset);
    }

    std::size_t offset() const { return offset_; }
    std::size_t size_bytes() const { return bytes_.size(); }
    std::size_t remaining_bytes() const { return bytes_.size() - offset_; }
    const std::string& context() const { return context_; }
    // What later errors start with, e.g. the stage of a reader that reads a
    // file in stages ("GGUF 'f': metadata").
    void set_context(std::string context) { context_ = std::move(context); }

    // Throws lpu::Error "<context>: at offset N: <message>" for a value that was
    // read successfully but is invalid; `offset` is where that value starts.
    [[noreturn]] void fail(std::size_t offset, const std::string& message) const;

private:
    const std::byte* take(std::uint64_t size_bytes, const FieldName& field);
    template <typename T>
    T scalar(const FieldName& field);

    std::span<const std::byte> bytes_;
    std::size_t offset_ = 0;
    std::string context_;
};

}  // namespace lpu
