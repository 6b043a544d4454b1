#include "runtime/model/gguf_writer.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

#include "base/error.hpp"
#include "base/output_file.hpp"
#include "runtime/model/gguf_format.hpp"

namespace lpu::model {
namespace {

static_assert(std::endian::native == std::endian::little, "GGUF is little-endian; this writer copies host values");

gguf::TensorType tensor_type(kernels::DType dtype) {
    const auto mapping = gguf::mapping_of(dtype);
    require(mapping.has_value(), "gguf writer: GGUF has no " + kernels::dtype_name(dtype) + " tensor type");
    return mapping->id;
}

// Appends little-endian GGUF primitives to an output stream.
class Encoder {
public:
    explicit Encoder(std::ostream& out) : out_(out) {}

    template <typename T>
    void scalar(T value) {
        out_.write(reinterpret_cast<const char*>(&value), sizeof value);
        position_ += sizeof value;
    }
    void bytes(const void* data, std::size_t size) {
        out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
        position_ += size;
    }
    void string(const std::string& text) {
        scalar<std::uint64_t>(text.size());
        bytes(text.data(), text.size());
    }
    void type(gguf::ValueType type) { scalar(static_cast<std::uint32_t>(type)); }
    void pad_to(std::uint64_t alignment) {
        static constexpr char kZeros[64] = {};
        while (position_ % alignment != 0) bytes(kZeros, std::min<std::uint64_t>(alignment - position_ % alignment, sizeof kZeros));
    }
    std::uint64_t position() const { return position_; }

private:
    std::ostream& out_;
    std::uint64_t position_ = 0;
};

// Writes the type tag and the value of one metadata entry.
template <class StoredValue>
struct ValueEncoder {
    Encoder& encoder;

    // GgufValue's payload: a scalar's bytes, a string's characters, an array's elements as stored.
    void operator()(const StoredValue& value) const {
        if (value.type == gguf::ValueType::Array) {
            array_header(value.element_type, value.count);
        } else {
            encoder.type(value.type);
            if (value.type == gguf::ValueType::String) encoder.scalar<std::uint64_t>(value.payload.size());
        }
        encoder.bytes(value.payload.data(), value.payload.size());
    }

    void operator()(const std::string& value) const {
        encoder.type(gguf::ValueType::String);
        encoder.string(value);
    }
    void operator()(std::uint32_t value) const {
        encoder.type(gguf::ValueType::UInt32);
        encoder.scalar(value);
    }
    void operator()(std::int32_t value) const {
        encoder.type(gguf::ValueType::Int32);
        encoder.scalar(value);
    }
    void operator()(float value) const {
        encoder.type(gguf::ValueType::Float32);
        encoder.scalar(value);
    }
    void operator()(bool value) const {
        encoder.type(gguf::ValueType::Bool);
        encoder.scalar<std::uint8_t>(value ? 1 : 0);
    }
    void operator()(const std::vector<std::string>& values) const {
        array_header(gguf::ValueType::String, values.size());
        for (const auto& value : values) encoder.string(value);
    }
    void operator()(const std::vector<float>& values) const {
        array_header(gguf::ValueType::Float32, values.size());
        encoder.bytes(values.data(), values.size() * sizeof(float));
    }
    void operator()(const std::vector<std::int32_t>& values) const {
        array_header(gguf::ValueType::Int32, values.size());
        encoder.bytes(values.data(), values.size() * sizeof(std::int32_t));
    }
    void array_header(gguf::ValueType element_type, std::size_t count) const {
        encoder.type(gguf::ValueType::Array);
        encoder.type(element_type);
        encoder.scalar<std::uint64_t>(count);
    }
};

// Counts what a producer writes so write() can check it against the declared size.
class CountingSink : public TensorSink {
public:
    explicit CountingSink(Encoder& encoder) : encoder_(encoder) {}
    void write(const void* data, std::size_t size_bytes) override {
        encoder_.bytes(data, size_bytes);
        written_bytes_ += size_bytes;
    }
    std::uint64_t written_bytes() const { return written_bytes_; }

private:
    Encoder& encoder_;
    std::uint64_t written_bytes_ = 0;
};

std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

void GgufWriter::add_entry(const std::string& key, Value value) {
    require(!key.empty(), "gguf writer: empty metadata key");
    for (const auto& entry : metadata_) require(entry.key != key, "gguf writer: metadata key '" + key + "' set twice");
    metadata_.push_back({key, std::move(value)});
}

void GgufWriter::set_string(const std::string& key, const std::string& value) { add_entry(key, value); }
void GgufWriter::set_u32(const std::string& key, std::uint32_t value) { add_entry(key, value); }
void GgufWriter::set_i32(const std::string& key, std::int32_t value) { add_entry(key, value); }
void GgufWriter::set_f32(const std::string& key, float value) { add_entry(key, value); }
void GgufWriter::set_bool(const std::string& key, bool value) { add_entry(key, value); }
void GgufWriter::set_string_array(const std::string& key, std::vector<std::string> values) {
    add_entry(key, std::move(values));
}
void GgufWriter::set_f32_array(const std::string& key, std::vector<float> values) { add_entry(key, std::move(values)); }
void GgufWriter::set_i32_array(const std::string& key, std::vector<std::int32_t> values) {
    add_entry(key, std::move(values));
}
void GgufWriter::set_copy(const std::string& key, const GgufValue& value) {
    add_entry(key, StoredValue{value.type, value.element_type, value.count,
                               std::vector<std::byte>(value.payload.begin(), value.payload.end())});
}

void GgufWriter::add_tensor(const std::string& name, kernels::DType dtype, std::vector<std::int64_t> dims,
                            std::function<void(TensorSink&)> produce) {
    require(!name.empty(), "gguf writer: empty tensor name");
    for (const auto& tensor : tensors_) require(tensor.name != name, "gguf writer: tensor '" + name + "' added twice");
    require(!dims.empty() && dims.size() <= 4,
            "gguf writer: tensor '" + name + "' has " + std::to_string(dims.size()) + " dimensions (1 to 4 allowed)");
    // Bounded so that the byte size below cannot overflow.
    constexpr std::int64_t kMaxElements = std::int64_t{1} << 50;
    std::int64_t elements = 1;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        require(dims[i] > 0 && dims[i] <= kMaxElements / elements,
                "gguf writer: tensor '" + name + "' dimension " + std::to_string(i) + " = " + std::to_string(dims[i]) +
                    " is not positive or makes the tensor too large");
        elements *= dims[i];
    }
    tensor_type(dtype);  // refuses a type GGUF cannot hold
    const std::int64_t block = kernels::block_shape(dtype).values;
    require(dims[0] % block == 0, "gguf writer: tensor '" + name + "' is " + kernels::dtype_name(dtype) +
                                      " but its row length " + std::to_string(dims[0]) + " is not a multiple of " +
                                      std::to_string(block));
    require(static_cast<bool>(produce), "gguf writer: tensor '" + name + "' has no data producer");
    const auto size_bytes = kernels::dtype_bytes(dtype, static_cast<std::size_t>(elements));
    tensors_.push_back({name, dtype, std::move(dims), size_bytes, std::move(produce)});
}

std::uint64_t GgufWriter::write(const std::string& path) const {
    // Refused before a byte is written: a shape too large for the disk would
    // otherwise fill it and fail half way.
    std::uint64_t data_bytes = 0;
    for (const auto& tensor : tensors_) data_bytes = align_up(data_bytes + tensor.size_bytes, gguf::kDefaultAlignment);
    require_free_space(path, data_bytes, "the model file");
    OutputFile file(path);
    std::ostream& out = file.stream();
    Encoder encoder(out);
    encoder.scalar(gguf::kMagic);
    encoder.scalar(gguf::kVersion);
    encoder.scalar<std::uint64_t>(tensors_.size());
    encoder.scalar<std::uint64_t>(metadata_.size());
    for (const auto& entry : metadata_) {
        encoder.string(entry.key);
        std::visit(ValueEncoder<StoredValue>{encoder}, entry.value);
    }
    std::uint64_t offset = 0;  // relative to the start of the data section
    for (const auto& tensor : tensors_) {
        encoder.string(tensor.name);
        encoder.scalar<std::uint32_t>(static_cast<std::uint32_t>(tensor.dims.size()));
        for (const auto dim : tensor.dims) encoder.scalar<std::uint64_t>(static_cast<std::uint64_t>(dim));
        encoder.scalar(static_cast<std::uint32_t>(tensor_type(tensor.dtype)));
        encoder.scalar(offset);
        offset = align_up(offset + tensor.size_bytes, gguf::kDefaultAlignment);
    }
    for (const auto& tensor : tensors_) {
        encoder.pad_to(gguf::kDefaultAlignment);
        CountingSink sink(encoder);
        tensor.produce(sink);
        require(sink.written_bytes() == tensor.size_bytes,
                "gguf writer: tensor '" + tensor.name + "' produced " + std::to_string(sink.written_bytes()) +
                    " bytes, expected " + std::to_string(tensor.size_bytes));
        file.check();
    }
    encoder.pad_to(gguf::kDefaultAlignment);
    file.commit();
    return encoder.position();
}

}  // namespace lpu::model
