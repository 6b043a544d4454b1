#pragma once
// Reads GGUF files (versions 2 and 3; the layout is in gguf_format.hpp). The
// constructor maps the file and validates all of it before anything is used:
// every count and length against the bytes remaining (so a corrupt count never
// triggers a giant allocation), every metadata value of every type (nested
// arrays included), every tensor's type, shape, alignment and extent. The first
// problem throws lpu::Error naming the path, the field and its offset.
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "runtime/kernels/dtype.hpp"
#include "runtime/model/gguf_format.hpp"

namespace lpu::model {

// One metadata value, still in its stored little-endian form inside the mapping.
struct GgufValue {
    gguf::ValueType type = gguf::ValueType::UInt8;
    gguf::ValueType element_type = gguf::ValueType::UInt8;  // arrays only
    std::uint64_t count = 1;                                // arrays: number of elements
    // Scalars: the value's bytes. Strings: the characters. Arrays: every element
    // as stored (strings and nested arrays with their length prefixes).
    std::span<const std::byte> payload;
};

struct GgufTensor {
    std::string name;
    kernels::DType dtype = kernels::DType::F32;
    std::vector<std::int64_t> dims;  // ne0 (the contiguous dimension) first
    std::uint64_t offset_bytes = 0;  // from the start of the data section
    std::uint64_t size_bytes = 0;
    const std::byte* data = nullptr;  // into the mapping

    std::int64_t elements() const;
};

// "[64, 512]": a tensor's GGUF dims for messages and listings.
std::string dims_text(const std::vector<std::int64_t>& dims);

class GgufFile {
public:
    // Maps and validates `path`; throws lpu::Error on the first bad field.
    explicit GgufFile(const std::string& path);
    // Validates a file already mapped (open_model maps once to read the magic).
    explicit GgufFile(MappedFile file);

    const std::string& path() const { return file_.path(); }
    std::uint32_t version() const { return version_; }
    std::uint64_t alignment_bytes() const { return alignment_bytes_; }
    std::uint64_t data_offset_bytes() const { return data_offset_bytes_; }

    // Metadata. Every getter throws lpu::Error naming the key when it is absent
    // or holds another type. Integer getters accept any integer type whose value
    // fits; float getters accept F32 and F64.
    bool has(std::string_view key) const;
    const GgufValue* find(std::string_view key) const;
    std::vector<std::string> keys() const;  // in file order
    std::string get_string(std::string_view key) const;
    std::uint32_t get_u32(std::string_view key) const;
    std::int32_t get_i32(std::string_view key) const;
    float get_f32(std::string_view key) const;
    bool get_bool(std::string_view key) const;
    std::vector<std::string> get_string_array(std::string_view key) const;
    std::vector<float> get_f32_array(std::string_view key) const;
    std::vector<std::int32_t> get_i32_array(std::string_view key) const;
    // Elements of an array of any type, without decoding them.
    std::uint64_t array_length(std::string_view key) const;

    // Tensors, in file order.
    const std::vector<GgufTensor>& tensors() const { return tensors_; }
    const GgufTensor* find_tensor(std::string_view name) const;
    const GgufTensor& tensor(std::string_view name) const;  // throws when absent

    // An lpu::Error whose message starts with "GGUF '<path>': ".
    Error error(const std::string& message) const;

private:
    struct MetadataEntry {
        std::string key;
        GgufValue value;
    };
    // Where a tensor's info record starts, and its type id as stored (checked
    // once the data section is known).
    struct TensorRecord {
        std::size_t info_offset = 0;
        std::uint32_t type_id = 0;
    };
    struct Counts {
        std::uint64_t tensors = 0;
        std::uint64_t metadata = 0;
    };

    // The stages of reading a file, in order; the errors of each start with
    // "GGUF '<path>': <stage>: ".
    void parse();
    Counts read_header(ByteReader& reader);
    void read_metadata(ByteReader& reader, std::uint64_t count);
    void read_alignment();
    std::vector<TensorRecord> read_tensor_infos(ByteReader& reader, std::uint64_t count);
    std::uint64_t locate_data_section(std::uint64_t infos_end_bytes, std::uint64_t tensor_count);
    void place_tensors(const ByteReader& reader, const std::vector<TensorRecord>& records,
                       std::uint64_t data_size_bytes);
    void check_no_overlap(const ByteReader& reader, const std::vector<TensorRecord>& records) const;
    std::string stage_context(const char* stage) const;

    const GgufValue& value_of(std::string_view key, const char* expected) const;

    MappedFile file_;
    std::uint32_t version_ = 0;
    std::uint64_t alignment_bytes_ = gguf::kDefaultAlignment;
    std::uint64_t data_offset_bytes_ = 0;
    std::vector<MetadataEntry> metadata_;
    std::map<std::string, std::size_t, std::less<>> metadata_index_;
    std::vector<GgufTensor> tensors_;
    std::map<std::string, std::size_t, std::less<>> tensor_index_;
};

}  // namespace lpu::model
