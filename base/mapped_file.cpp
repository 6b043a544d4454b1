#include "base/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <utility>

#include "base/error.hpp"

namespace lpu {
namespace {

std::string system_error_text(int error_number) { return std::strerror(error_number); }

// Closes the descriptor on every path out of the constructor; the mapping stays
// valid after close.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

}  // namespace

MappedFile::MappedFile(const std::string& path) : path_(path) {
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw Error("cannot open '" + path + "': " + system_error_text(errno));
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) throw Error("cannot stat '" + path + "': " + system_error_text(errno));
    require(S_ISREG(info.st_mode), "'" + path + "' is not a regular file");
    require(info.st_size > 0, "'" + path + "' is empty");
    size_bytes_ = static_cast<std::size_t>(info.st_size);
    void* address = ::mmap(nullptr, size_bytes_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (address == MAP_FAILED) {
        throw Error("cannot map '" + path + "' (" + std::to_string(size_bytes_) +
                    " bytes): " + system_error_text(errno));
    }
    data_ = static_cast<const std::byte*>(address);
}

MappedFile::~MappedFile() { unmap(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_bytes_(std::exchange(other.size_bytes_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        unmap();
        path_ = std::move(other.path_);
        data_ = std::exchange(other.data_, nullptr);
        size_bytes_ = std::exchange(other.size_bytes_, 0);
    }
    return *this;
}

void MappedFile::unmap() noexcept {
    if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_bytes_);
    data_ = nullptr;
    size_bytes_ = 0;
}

std::string FieldName::str() const {
    // Appended piece by piece: GCC 12 reports a spurious -Wrestrict on
    // string concatenation chains here.
    std::string text(name);
    if (index >= 0) {
        text.push_back('[');
        text.append(std::to_string(index));
        text.push_back(']');
    }
    if (!member.empty()) {
        text.push_back('.');
        text.append(member);
    }
    return text;
}

ByteReader::ByteReader(std::span<const std::byte> bytes, std::string context)
    : bytes_(bytes), context_(std::move(context)) {}

const std::byte* ByteReader::take(std::uint64_t size_bytes, const FieldName& field) {
    if (size_bytes > remaining_bytes()) {
        throw Error(context_ + ": truncated at offset " + std::to_string(offset_) + " while reading " + field.str() +
                    " (needs " + std::to_string(size_bytes) + " bytes, " + std::to_string(remaining_bytes()) +
                    " remain)");
    }
    const std::byte* start = bytes_.data() + offset_;
    offset_ += static_cast<std::size_t>(size_bytes);
    return start;
}

// Assembles the value byte by byte, so the result is the same on any host and
// no unaligned load is ever made.
template <typename T>
T ByteReader::scalar(const FieldName& field) {
    using Bits =
        std::conditional_t<sizeof(T) == 1, std::uint8_t,
                           std::conditional_t<sizeof(T) == 2, std::uint16_t,
                                              std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
    const std::byte* source = take(sizeof(T), field);
    Bits bits = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        bits = static_cast<Bits>(bits | (static_cast<Bits>(std::to_integer<std::uint8_t>(source[i])) << (8 * i)));
    }
    return std::bit_cast<T>(bits);
}

std::uint8_t ByteReader::u8(FieldName field) { return scalar<std::uint8_t>(field); }
std::int8_t ByteReader::i8(FieldName field) { return scalar<std::int8_t>(field); }
std::uint16_t ByteReader::u16(FieldName field) { return scalar<std::uint16_t>(field); }
std::int16_t ByteReader::i16(FieldName field) { return scalar<std::int16_t>(field); }
std::uint32_t ByteReader::u32(FieldName field) { return scalar<std::uint32_t>(field); }
std::int32_t ByteReader::i32(FieldName field) { return scalar<std::int32_t>(field); }
std::uint64_t ByteReader::u64(FieldName field) { return scalar<std::uint64_t>(field); }
std::int64_t ByteReader::i64(FieldName field) { return scalar<std::int64_t>(field); }
float ByteReader::f32(FieldName field) { return scalar<float>(field); }
double ByteReader::f64(FieldName field) { return scalar<double>(field); }

std::span<const std::byte> ByteReader::bytes(std::uint64_t size_bytes, FieldName field) {
    const std::byte* start = take(size_bytes, field);
    return {start, static_cast<std::size_t>(size_bytes)};
}

std::string_view ByteReader::chars(std::uint64_t size_bytes, FieldName field) {
    const std::byte* start = take(size_bytes, field);
    return {reinterpret_cast<const char*>(start), static_cast<std::size_t>(size_bytes)};
}

void ByteReader::skip(std::uint64_t size_bytes, FieldName field) { take(size_bytes, field); }

void ByteReader::fail(std::size_t offset, const std::string& message) const {
    throw Error(context_ + ": at offset " + std::to_string(offset) + ": " + message);
}

}  // namespace lpu
