#pragma once
// Constants of the GGUF file format (version 3), shared by the reader and the
// writer. Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata
// count, metadata key/values, tensor infos, padding to `general.alignment`
// (default 32), tensor data. Strings are u64 length + bytes, little-endian.
#include <cstdint>
#include <optional>

#include "runtime/kernels/dtype.hpp"

namespace lpu::model::gguf {

inline constexpr std::uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
inline constexpr std::uint32_t kVersion = 3;
inline constexpr std::uint64_t kDefaultAlignment = 32;

enum class ValueType : std::uint32_t {
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5,
    Float32 = 6, Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
};

// GGML tensor type ids as stored in tensor infos (only those we read or write).
enum class TensorType : std::uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, BF16 = 30,
};

// The one map between GGML type ids and the runtime's DTypes (the kernels for
// each DType live in runtime/kernels/, one file per family), with the
// `general.file_type` (llama.cpp's LLAMA_FTYPE) of a file whose matrices are
// all of that type: for the K-quants llama.cpp's "_S" mixes, the nearest.
struct TypeMapping {
    TensorType id;
    kernels::DType dtype;
    std::uint32_t file_type;
};
inline constexpr TypeMapping kTypeMappings[] = {
    {TensorType::F32, kernels::DType::F32, 0},    {TensorType::F16, kernels::DType::F16, 1},
    {TensorType::BF16, kernels::DType::BF16, 32}, {TensorType::Q8_0, kernels::DType::Q8_0, 7},
    {TensorType::Q4_0, kernels::DType::Q4_0, 2},  {TensorType::Q4_1, kernels::DType::Q4_1, 3},
    {TensorType::Q5_0, kernels::DType::Q5_0, 8},  {TensorType::Q5_1, kernels::DType::Q5_1, 9},
    {TensorType::Q2_K, kernels::DType::Q2_K, 10}, {TensorType::Q3_K, kernels::DType::Q3_K, 11},
    {TensorType::Q4_K, kernels::DType::Q4_K, 14}, {TensorType::Q5_K, kernels::DType::Q5_K, 16},
    {TensorType::Q6_K, kernels::DType::Q6_K, 18},
};
// llama.cpp's file types of the K-quant mixes `lpu model quantize` writes.
inline constexpr std::uint32_t kFileTypeQ4_K_M = 15;
inline constexpr std::uint32_t kFileTypeQ5_K_M = 17;

constexpr std::optional<kernels::DType> dtype_of(std::uint32_t type_id) {
    for (const TypeMapping& mapping : kTypeMappings) {
        if (static_cast<std::uint32_t>(mapping.id) == type_id) return mapping.dtype;
    }
    return std::nullopt;
}
// nullopt for a DType GGUF cannot hold (F8_E4M3).
constexpr std::optional<TypeMapping> mapping_of(kernels::DType dtype) {
    for (const TypeMapping& mapping : kTypeMappings) {
        if (mapping.dtype == dtype) return mapping;
    }
    return std::nullopt;
}

}  // namespace lpu::model::gguf
