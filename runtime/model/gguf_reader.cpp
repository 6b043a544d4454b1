#include "runtime/model/gguf_reader.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <optional>
#include <utility>

namespace lpu::model {
namespace {

using gguf::ValueType;

constexpr std::uint64_t kMaxAlignmentBytes = std::uint64_t{1} << 20;
constexpr std::uint32_t kMaxDims = 4;
// Arrays of arrays are legal GGUF but never used by models; a bound on the
// depth keeps a hostile file from exhausting the stack through recursion.
constexpr int kMaxArrayNesting = 8;
// The fewest bytes one metadata entry / tensor info can take, used to reject
// counts the file cannot possibly hold before anything is allocated for them.
constexpr std::uint64_t kMinMetadataEntryBytes = 8 + 4 + 1;       // key length, type, 1-byte value
constexpr std::uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // name length, n_dims, 1 dim, type, offset

std::string value_type_name(ValueType type) {
    switch (type) {
        case ValueType::UInt8: return "u8";
        case ValueType::Int8: return "i8";
        case ValueType::UInt16: return "u16";
        case ValueType::Int16: return "i16";
        case ValueType::UInt32: return "u32";
        case ValueType::Int32: return "i32";
        case ValueType::Float32: return "f32";
        case ValueType::Bool: return "bool";
        case ValueType::String: return "string";
        case ValueType::Array: return "array";
        case ValueType::UInt64: return "u64";
        case ValueType::Int64: return "i64";
        case ValueType::Float64: return "f64";
    }
    return "type " + std::to_string(static_cast<std::uint32_t>(type));
}

bool is_known_value_type(std::uint32_t id) { return id <= static_cast<std::uint32_t>(ValueType::Float64); }

// Bytes of a fixed-size value, 0 for strings and arrays.
std::uint64_t fixed_size_bytes(ValueType type) {
    switch (type) {
        case ValueType::UInt8:
        case ValueType::Int8:
        case ValueType::Bool: return 1;
        case ValueType::UInt16:
        case ValueType::Int16: return 2;
        case ValueType::UInt32:
        case ValueType::Int32:
        case ValueType::Float32: return 4;
        case ValueType::UInt64:
        case ValueType::Int64:
        case ValueType::Float64: return 8;
        case ValueType::String:
        case ValueType::Array: return 0;
    }
    return 0;
}

// The fewest bytes one element of an array of `type` occupies.
std::uint64_t min_element_bytes(ValueType type) {
    if (type == ValueType::String) return 8;     // length prefix
    if (type == ValueType::Array) return 4 + 8;  // element type, length
    return fixed_size_bytes(type);
}

bool is_integer(ValueType type) {
    switch (type) {
        case ValueType::UInt8:
        case ValueType::Int8:
        case ValueType::UInt16:
        case ValueType::Int16:
        case ValueType::UInt32:
        case ValueType::Int32:
        case ValueType::UInt64:
        case ValueType::Int64: return true;
        default: return false;
    }
}

bool is_float(ValueType type) { return type == ValueType::Float32 || type == ValueType::Float64; }

// An integer of any stored width, widened without loss.
struct WideInteger {
    bool negative = false;
    std::uint64_t unsigned_value = 0;  // when !negative
    std::int64_t signed_value = 0;     // when negative

    template <typename T>
    bool fits() const {
        return negative ? std::in_range<T>(signed_value) : std::in_range<T>(unsigned_value);
    }
    template <typename T>
    T as() const {
        return negative ? static_cast<T>(signed_value) : static_cast<T>(unsigned_value);
    }
    std::string str() const { return negative ? std::to_string(signed_value) : std::to_string(unsigned_value); }
};

// Decodes one integer element; the reader's bounds were proven during parsing.
WideInteger read_integer(ByteReader& reader, ValueType type) {
    WideInteger value;
    std::int64_t signed_value = 0;
    switch (type) {
        case ValueType::UInt8: value.unsigned_value = reader.u8("value"); return value;
        case ValueType::UInt16: value.unsigned_value = reader.u16("value"); return value;
        case ValueType::UInt32: value.unsigned_value = reader.u32("value"); return value;
        case ValueType::UInt64: value.unsigned_value = reader.u64("value"); return value;
        case ValueType::Int8: signed_value = reader.i8("value"); break;
        case ValueType::Int16: signed_value = reader.i16("value"); break;
        case ValueType::Int32: signed_value = reader.i32("value"); break;
        default: signed_value = reader.i64("value"); break;
    }
    value.negative = signed_value < 0;
    value.signed_value = signed_value;
    value.unsigned_value = value.negative ? 0 : static_cast<std::uint64_t>(signed_value);
    return value;
}

float read_float(ByteReader& reader, ValueType type) {
    return type == ValueType::Float32 ? reader.f32("value") : static_cast<float>(reader.f64("value"));
}

std::string read_string(ByteReader& reader, const FieldName& field) {
    const std::uint64_t length = reader.u64(field);
    return std::string(reader.chars(length, field));
}

// Reads (and validates) one value of `type` named `name`; `depth` counts
// enclosing arrays.
GgufValue read_value(ByteReader& reader, ValueType type, std::string_view name, int depth);

GgufValue read_array(ByteReader& reader, std::string_view name, int depth) {
    const std::size_t type_offset = reader.offset();
    const std::string element_type_field = std::string(name) + " (array element type)";
    const std::uint32_t element_type_id = reader.u32(element_type_field);
    if (!is_known_value_type(element_type_id)) {
        reader.fail(type_offset,
                    "array '" + std::string(name) + "' has unknown element type " + std::to_string(element_type_id));
    }
    const auto element_type = static_cast<ValueType>(element_type_id);
    if (element_type == ValueType::Array && depth + 1 >= kMaxArrayNesting) {
        reader.fail(type_offset, "arrays in '" + std::string(name) + "' are nested more than " +
                                     std::to_string(kMaxArrayNesting) + " deep");
    }
    const std::size_t count_offset = reader.offset();
    const std::uint64_t count = reader.u64(std::string(name) + " (array length)");
    if (count > reader.remaining_bytes() / min_element_bytes(element_type)) {
        reader.fail(count_offset, "array '" + std::string(name) + "' claims " + std::to_string(count) + " " +
                                      value_type_name(element_type) + " elements, more than the " +
                                      std::to_string(reader.remaining_bytes()) +
                                      " bytes that remain can hold (truncated or corrupt)");
    }
    const std::size_t start = reader.offset();
    if (const std::uint64_t size = fixed_size_bytes(element_type); size > 0) {
        const auto elements = reader.bytes(count * size, name);
        if (element_type == ValueType::Bool) {
            for (std::uint64_t i = 0; i < count; ++i) {
                if (std::to_integer<std::uint8_t>(elements[i]) > 1) {
                    reader.fail(start + i,
                                "bool " + FieldName(name, static_cast<std::int64_t>(i)).str() + " is neither 0 nor 1");
                }
            }
        }
    } else {
        for (std::uint64_t i = 0; i < count; ++i) {
            if (element_type == ValueType::String) {
                const FieldName element(name, static_cast<std::int64_t>(i));
                reader.skip(reader.u64(element), element);
            } else {
                read_value(reader, element_type, FieldName(name, static_cast<std::int64_t>(i)).str(), depth + 1);
            }
        }
    }
    GgufValue value;
    value.type = ValueType::Array;
    value.element_type = element_type;
    value.count = count;
    value.payload = reader.read_since(start);
    return value;
}

GgufValue read_value(ByteReader& reader, ValueType type, std::string_view name, int depth) {
    if (type == ValueType::Array) return read_array(reader, name, depth);
    GgufValue value;
    value.type = type;
    if (type == ValueType::String) {
        const std::uint64_t length = reader.u64(name);
        value.payload = reader.bytes(length, name);
        return value;
    }
    const std::size_t offset = reader.offset();
    value.payload = reader.bytes(fixed_size_bytes(type), name);
    if (type == ValueType::Bool && std::to_integer<std::uint8_t>(value.payload[0]) > 1) {
        reader.fail(offset, "bool '" + std::string(name) + "' is neither 0 nor 1");
    }
    return value;
}

// Names of GGML types people are likely to meet, so that the error for an
// unsupported one says what it is.
std::string ggml_type_label(std::uint32_t ggml_type) {
    static const std::map<std::uint32_t, const char*> names{
        {9, "Q8_1"},    {15, "Q8_K"},   {16, "IQ2_XXS"}, {17, "IQ2_XS"}, {18, "IQ3_XXS"}, {19, "IQ1_S"},
        {20, "IQ4_NL"}, {21, "IQ3_S"},  {22, "IQ2_S"},   {23, "IQ4_XS"}, {24, "I8"},      {25, "I16"},
        {26, "I32"},    {27, "I64"},    {28, "F64"},     {29, "IQ1_M"},  {34, "TQ1_0"},   {35, "TQ2_0"},
        {39, "MXFP4"},
    };
    const auto found = names.find(ggml_type);
    return std::to_string(ggml_type) + (found != names.end() ? std::string(" (") + found->second + ")" : "");
}

// The first tensor (in data order) whose bytes run into the next one's, and that next one.
std::optional<std::pair<std::size_t, std::size_t>> first_overlap(const std::vector<GgufTensor>& tensors) {
    std::vector<std::size_t> by_offset(tensors.size());
    for (std::size_t i = 0; i < by_offset.size(); ++i) by_offset[i] = i;
    std::stable_sort(by_offset.begin(), by_offset.end(),
                     [&](std::size_t a, std::size_t b) { return tensors[a].offset_bytes < tensors[b].offset_bytes; });
    for (std::size_t k = 0; k + 1 < by_offset.size(); ++k) {
        const GgufTensor& tensor = tensors[by_offset[k]];
        if (tensor.offset_bytes + tensor.size_bytes > tensors[by_offset[k + 1]].offset_bytes) {
            return std::pair{by_offset[k], by_offset[k + 1]};
        }
    }
    return std::nullopt;
}

std::string supported_types() {
    std::string names;
    for (const auto& mapping : gguf::kTypeMappings) names += (names.empty() ? "" : ", ") + kernels::dtype_name(mapping.dtype);
    return names;
}

// The start of a tensor's bytes must suit its element loads.
std::uint64_t element_alignment_bytes(kernels::DType dtype) { return dtype == kernels::DType::F32 ? 4 : 2; }

}  // namespace

std::string dims_text(const std::vector<std::int64_t>& dims) {
    std::string text = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i > 0) text.append(", ");
        text.append(std::to_string(dims[i]));
    }
    text.push_back(']');
    return text;
}

std::int64_t GgufTensor::elements() const {
    std::int64_t product = 1;
    for (const auto dim : dims) product *= dim;
    return product;
}

GgufFile::GgufFile(const std::string& path) : GgufFile(MappedFile(path)) {}

GgufFile::GgufFile(MappedFile file) : file_(std::move(file)) { parse(); }

Error GgufFile::error(const std::string& message) const { return Error("GGUF '" + path() + "': " + message); }

void GgufFile::parse() {
    ByteReader reader(file_.bytes(), "GGUF '" + path() + "'");
    if (reader.u32("magic") != gguf::kMagic) reader.fail(0, "not a GGUF file (magic is not \"GGUF\")");
    version_ = reader.u32("version");
    // Version 2 has version 3's layout (3 only added big-endian files, which
    // announce themselves with a byte-swapped version and are refused here).
    if (version_ != 2 && version_ != gguf::kVersion) {
        reader.fail(4, "unsupported GGUF version " + std::to_string(version_) + " (supported: 2, 3)");
    }
    const std::uint64_t tensor_count = reader.u64("tensor_count");
    const std::uint64_t metadata_count = reader.u64("metadata_kv_count");
    if (tensor_count > reader.remaining_bytes() / kMinTensorInfoBytes) {
        reader.fail(8, "tensor_count " + std::to_string(tensor_count) + " cannot fit in the " +
                           std::to_string(reader.remaining_bytes()) +
                           " bytes that follow the header (truncated or corrupt)");
    }
    if (metadata_count > reader.remaining_bytes() / kMinMetadataEntryBytes) {
        reader.fail(16, "metadata_kv_count " + std::to_string(metadata_count) + " cannot fit in the " +
                            std::to_string(reader.remaining_bytes()) +
                            " bytes that follow the header (truncated or corrupt)");
    }

    // No reserve() from the counts: they are bounded by the file size, but an
    // entry in memory is larger than its minimum on disk, so vectors grow only
    // with what was actually parsed.
    for (std::uint64_t i = 0; i < metadata_count; ++i) {
        const auto index = static_cast<std::int64_t>(i);
        const std::size_t key_offset = reader.offset();
        std::string key = read_string(reader, FieldName("metadata", index, "key"));
        if (metadata_index_.contains(key)) reader.fail(key_offset, "duplicate metadata key '" + key + "'");
        const std::size_t type_offset = reader.offset();
        const std::uint32_t type_id = reader.u32(FieldName("metadata", index, "type"));
        if (!is_known_value_type(type_id)) {
            reader.fail(type_offset, "metadata '" + key + "' has unknown value type " + std::to_string(type_id));
        }
        GgufValue value = read_value(reader, static_cast<ValueType>(type_id), key, 0);
        metadata_index_.emplace(key, metadata_.size());
        metadata_.push_back({std::move(key), value});
    }

    if (has("general.alignment")) {
        const std::uint32_t alignment = get_u32("general.alignment");
        if (alignment == 0 || !std::has_single_bit(alignment) || alignment > kMaxAlignmentBytes) {
            throw error("general.alignment " + std::to_string(alignment) + " must be a power of two from 1 to " +
                        std::to_string(kMaxAlignmentBytes));
        }
        alignment_bytes_ = alignment;
    }

    struct RawTensorInfo {
        std::size_t info_offset;
        std::uint32_t type_id;
    };
    std::vector<RawTensorInfo> raw;
    for (std::uint64_t i = 0; i < tensor_count; ++i) {
        const auto index = static_cast<std::int64_t>(i);
        GgufTensor tensor;
        const std::size_t info_offset = reader.offset();
        tensor.name = read_string(reader, FieldName("tensor_info", index, "name"));
        if (tensor_index_.contains(tensor.name)) {
            reader.fail(info_offset, "duplicate tensor name '" + tensor.name + "'");
        }
        const std::size_t dims_offset = reader.offset();
        const std::uint32_t n_dims = reader.u32(FieldName("tensor_info", index, "n_dims"));
        if (n_dims == 0 || n_dims > kMaxDims) {
            reader.fail(dims_offset, "tensor '" + tensor.name + "' has n_dims " + std::to_string(n_dims) +
                                         " (must be 1 to " + std::to_string(kMaxDims) + ")");
        }
        // Each element takes more than two bits (Q2_K, the smallest type, 2.6),
        // so the file size bounds the element count; checking as we multiply
        // also rules out overflow.
        const std::uint64_t max_elements = file_.size_bytes() * 4;
        std::uint64_t elements = 1;
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            const std::uint64_t dim = reader.u64(FieldName("tensor_info", index, "dims"));
            const std::string which =
                "tensor '" + tensor.name + "' dimension " + std::to_string(d) + " is " + std::to_string(dim);
            if (dim == 0) reader.fail(dims_offset, which + ", must be positive");
            if (dim > max_elements / elements) {
                reader.fail(dims_offset, which + ": more elements than the file's " +
                                             std::to_string(file_.size_bytes()) +
                                             " bytes can hold (truncated file or corrupt dims)");
            }
            elements *= dim;
            tensor.dims.push_back(static_cast<std::int64_t>(dim));
        }
        const std::uint32_t type_id = reader.u32(FieldName("tensor_info", index, "type"));
        tensor.offset_bytes = reader.u64(FieldName("tensor_info", index, "offset"));
        raw.push_back({info_offset, type_id});
        tensor_index_.emplace(tensor.name, tensors_.size());
        tensors_.push_back(std::move(tensor));
    }

    const std::uint64_t infos_end = reader.offset();
    data_offset_bytes_ = (infos_end + alignment_bytes_ - 1) / alignment_bytes_ * alignment_bytes_;
    if (tensor_count > 0 && data_offset_bytes_ >= file_.size_bytes()) {
        throw error("the data section would start at offset " + std::to_string(data_offset_bytes_) +
                    ", at or past the end of the file (" + std::to_string(file_.size_bytes()) + " bytes)");
    }
    const std::uint64_t data_size_bytes = tensor_count > 0 ? file_.size_bytes() - data_offset_bytes_ : 0;

    for (std::size_t i = 0; i < tensors_.size(); ++i) {
        GgufTensor& tensor = tensors_[i];
        const std::size_t at = raw[i].info_offset;
        const auto dtype = gguf::dtype_of(raw[i].type_id);
        if (!dtype) {
            reader.fail(at, "tensor '" + tensor.name + "' has type " + ggml_type_label(raw[i].type_id) +
                                ", which is not supported (supported: " + supported_types() + ")");
        }
        tensor.dtype = *dtype;
        const std::int64_t block = kernels::block_shape(tensor.dtype).values;
        if (tensor.dims[0] % block != 0) {
            reader.fail(at, "tensor '" + tensor.name + "' is " + kernels::dtype_name(tensor.dtype) + " with rows of " +
                                std::to_string(tensor.dims[0]) + " elements, not a multiple of its block of " +
                                std::to_string(block));
        }
        tensor.size_bytes = kernels::dtype_bytes(tensor.dtype, static_cast<std::size_t>(tensor.elements()));
        if (tensor.offset_bytes % alignment_bytes_ != 0) {
            reader.fail(at, "tensor '" + tensor.name + "' offset " + std::to_string(tensor.offset_bytes) +
                                " is not a multiple of the alignment " + std::to_string(alignment_bytes_));
        }
        if (tensor.offset_bytes > data_size_bytes || tensor.size_bytes > data_size_bytes - tensor.offset_bytes) {
            reader.fail(at, "tensor '" + tensor.name + "' (" + dims_text(tensor.dims) + " " +
                                kernels::dtype_name(tensor.dtype) + ", " + std::to_string(tensor.size_bytes) +
                                " bytes at data offset " + std::to_string(tensor.offset_bytes) +
                                ") extends past the end of the data section (" + std::to_string(data_size_bytes) +
                                " bytes)");
        }
        const std::uint64_t file_offset = data_offset_bytes_ + tensor.offset_bytes;
        if (file_offset % element_alignment_bytes(tensor.dtype) != 0) {
            reader.fail(at, "tensor '" + tensor.name + "' data at file offset " + std::to_string(file_offset) +
                                " is not aligned for " + kernels::dtype_name(tensor.dtype) + " elements");
        }
        tensor.data = file_.data() + file_offset;
    }
    // A tensor's size follows from its type and shape; if it runs into the next
    // tensor's bytes, the two disagree (or the offsets are wrong).
    if (const auto overlap = first_overlap(tensors_)) {
        const GgufTensor& tensor = tensors_[overlap->first];
        const GgufTensor& next = tensors_[overlap->second];
        reader.fail(raw[overlap->first].info_offset,
                    "tensor '" + tensor.name + "' (" + dims_text(tensor.dims) + " " + kernels::dtype_name(tensor.dtype) +
                        ", " + std::to_string(tensor.size_bytes) + " bytes at data offset " +
                        std::to_string(tensor.offset_bytes) + ") runs into tensor '" + next.name +
                        "' at data offset " + std::to_string(next.offset_bytes) +
                        ": its byte size disagrees with its type and shape");
    }
}


bool GgufFile::has(std::string_view key) const { return metadata_index_.find(key) != metadata_index_.end(); }

const GgufValue* GgufFile::find(std::string_view key) const {
    const auto found = metadata_index_.find(key);
    return found == metadata_index_.end() ? nullptr : &metadata_[found->second].value;
}

std::vector<std::string> GgufFile::keys() const {
    std::vector<std::string> result;
    result.reserve(metadata_.size());
    for (const auto& entry : metadata_) result.push_back(entry.key);
    return result;
}

const GgufValue& GgufFile::value_of(std::string_view key, const char* expected) const {
    const GgufValue* value = find(key);
    if (value == nullptr) throw error("missing metadata key '" + std::string(key) + "' (" + expected + ")");
    return *value;
}

namespace {

[[noreturn]] void wrong_type(const GgufFile& file, std::string_view key, const GgufValue& value, const char* expected) {
    std::string actual = value_type_name(value.type);
    if (value.type == ValueType::Array) actual += " of " + value_type_name(value.element_type);
    throw file.error("metadata '" + std::string(key) + "' is " + actual + ", expected " + expected);
}

template <typename T>
T integer_value(const GgufFile& file, std::string_view key, const GgufValue& value, const char* expected) {
    if (!is_integer(value.type)) wrong_type(file, key, value, expected);
    ByteReader reader(value.payload, file.path());
    const WideInteger wide = read_integer(reader, value.type);
    if (!wide.fits<T>()) {
        throw file.error("metadata '" + std::string(key) + "' is " + wide.str() + ", which does not fit in " +
                         expected);
    }
    return wide.as<T>();
}

}  // namespace

std::string GgufFile::get_string(std::string_view key) const {
    const GgufValue& value = value_of(key, "a string");
    if (value.type != ValueType::String) wrong_type(*this, key, value, "a string");
    return std::string(reinterpret_cast<const char*>(value.payload.data()), value.payload.size());
}

std::uint32_t GgufFile::get_u32(std::string_view key) const {
    return integer_value<std::uint32_t>(*this, key, value_of(key, "an integer"), "u32");
}

std::int32_t GgufFile::get_i32(std::string_view key) const {
    return integer_value<std::int32_t>(*this, key, value_of(key, "an integer"), "i32");
}

float GgufFile::get_f32(std::string_view key) const {
    const GgufValue& value = value_of(key, "a float");
    if (!is_float(value.type)) wrong_type(*this, key, value, "f32 or f64");
    ByteReader reader(value.payload, path());
    return read_float(reader, value.type);
}

bool GgufFile::get_bool(std::string_view key) const {
    const GgufValue& value = value_of(key, "a bool");
    if (value.type != ValueType::Bool) wrong_type(*this, key, value, "bool");
    return std::to_integer<std::uint8_t>(value.payload[0]) != 0;
}

std::uint64_t GgufFile::array_length(std::string_view key) const {
    const GgufValue& value = value_of(key, "an array");
    if (value.type != ValueType::Array) wrong_type(*this, key, value, "an array");
    return value.count;
}

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
    const GgufValue& value = value_of(key, "an array of strings");
    if (value.type != ValueType::Array || value.element_type != ValueType::String) {
        wrong_type(*this, key, value, "array of string");
    }
    ByteReader reader(value.payload, path());
    std::vector<std::string> strings;
    strings.reserve(static_cast<std::size_t>(value.count));
    for (std::uint64_t i = 0; i < value.count; ++i) strings.push_back(read_string(reader, key));
    return strings;
}

std::vector<float> GgufFile::get_f32_array(std::string_view key) const {
    const GgufValue& value = value_of(key, "an array of floats");
    if (value.type != ValueType::Array || !is_float(value.element_type)) wrong_type(*this, key, value, "array of f32");
    ByteReader reader(value.payload, path());
    std::vector<float> floats;
    floats.reserve(static_cast<std::size_t>(value.count));
    for (std::uint64_t i = 0; i < value.count; ++i) floats.push_back(read_float(reader, value.element_type));
    return floats;
}

std::vector<std::int32_t> GgufFile::get_i32_array(std::string_view key) const {
    const GgufValue& value = value_of(key, "an array of integers");
    if (value.type != ValueType::Array || !is_integer(value.element_type)) {
        wrong_type(*this, key, value, "array of i32");
    }
    ByteReader reader(value.payload, path());
    std::vector<std::int32_t> integers;
    integers.reserve(static_cast<std::size_t>(value.count));
    for (std::uint64_t i = 0; i < value.count; ++i) {
        const WideInteger wide = read_integer(reader, value.element_type);
        if (!wide.fits<std::int32_t>()) {
            throw error("metadata '" + std::string(key) + "[" + std::to_string(i) + "]' is " + wide.str() +
                        ", which does not fit in i32");
        }
        integers.push_back(wide.as<std::int32_t>());
    }
    return integers;
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
    const auto found = tensor_index_.find(name);
    return found == tensor_index_.end() ? nullptr : &tensors_[found->second];
}

const GgufTensor& GgufFile::tensor(std::string_view name) const {
    const GgufTensor* found = find_tensor(name);
    if (found == nullptr) throw error("missing tensor '" + std::string(name) + "'");
    return *found;
}

}  // namespace lpu::model
