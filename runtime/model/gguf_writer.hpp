#pragma once
// Writes GGUF version 3 files: metadata key/values, tensor infos, then tensor data
// aligned to 32 bytes. Tensors are declared with a producer callback and streamed
// to the file one at a time, so a model is never held in memory as a whole.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "runtime/kernels/dtype.hpp"
#include "runtime/model/gguf_reader.hpp"

namespace lpu::model {

// Where a tensor producer writes its bytes; it must write exactly the tensor's size.
class TensorSink {
public:
    virtual ~TensorSink() = default;
    virtual void write(const void* data, std::size_t size_bytes) = 0;
};

class GgufWriter {
public:
    // Metadata, written in the order it was set. A key set twice throws lpu::Error.
    void set_string(const std::string& key, const std::string& value);
    void set_u32(const std::string& key, std::uint32_t value);
    void set_i32(const std::string& key, std::int32_t value);
    void set_f32(const std::string& key, float value);
    void set_bool(const std::string& key, bool value);
    void set_string_array(const std::string& key, std::vector<std::string> values);
    void set_f32_array(const std::string& key, std::vector<float> values);
    void set_i32_array(const std::string& key, std::vector<std::int32_t> values);
    // A value read from another file, of any type, copied as it is stored.
    void set_copy(const std::string& key, const GgufValue& value);

    // Declares a tensor. `dims` are GGUF's ne0 first: {cols} for a vector,
    // {cols, rows} for a row-major [rows x cols] matrix. `produce` is called once,
    // by write(), to stream the data. Throws on a duplicate name, an empty or
    // non-positive shape, or a Q8_0 row length not divisible by 32.
    void add_tensor(const std::string& name, kernels::DType dtype, std::vector<std::int64_t> dims,
                    std::function<void(TensorSink&)> produce);

    // Writes the file; returns its size in bytes. Throws lpu::Error naming the path
    // when it cannot be written, or naming the tensor whose producer wrote the wrong
    // number of bytes (the partial file is removed in both cases).
    std::uint64_t write(const std::string& path) const;

private:
    struct StoredValue {  // see set_copy
        gguf::ValueType type;
        gguf::ValueType element_type;
        std::uint64_t count;
        std::vector<std::byte> payload;
    };
    using Value = std::variant<std::string, std::uint32_t, std::int32_t, float, bool, std::vector<std::string>,
                               std::vector<float>, std::vector<std::int32_t>, StoredValue>;
    struct Entry {
        std::string key;
        Value value;
    };
    struct Tensor {
        std::string name;
        kernels::DType dtype;
        std::vector<std::int64_t> dims;
        std::uint64_t size_bytes;
        std::function<void(TensorSink&)> produce;
    };
    void add_entry(const std::string& key, Value value);

    std::vector<Entry> metadata_;
    std::vector<Tensor> tensors_;
};

}  // namespace lpu::model
