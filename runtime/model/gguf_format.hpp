#pragma once
// Constants of the GGUF file format (version 3), shared by the reader and the
// writer. Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata
// count, metadata key/values, tensor infos, padding to `general.alignment`
// (default 32), tensor data. Strings are u64 length + bytes, little-endian.
#include <cstdint>

namespace lpu::model::gguf {

inline constexpr std::uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
inline constexpr std::uint32_t kVersion = 3;
inline constexpr std::uint64_t kDefaultAlignment = 32;

enum class ValueType : std::uint32_t {
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5,
    Float32 = 6, Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
};

// GGML tensor type ids as stored in tensor infos (only those we read or write).
enum class TensorType : std::uint32_t { F32 = 0, F16 = 1, Q8_0 = 8, BF16 = 30 };

}  // namespace lpu::model::gguf
