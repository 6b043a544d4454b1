#include "runtime/kernels/quantize.hpp"

#include <cmath>
#include <cstring>
#include <string>

#include "base/error.hpp"
#include "runtime/kernels/k_quants.hpp"
#include "runtime/kernels/legacy_blocks.hpp"

namespace lpu::kernels {
namespace {

using RowEncoder = void (*)(const float* x, std::int64_t n, std::byte* out);
using RowDecoder = void (*)(const std::byte* data, std::int64_t n, float* out);

void require_whole_blocks(DType type, std::int64_t n, const char* what) {
    const std::int64_t block = block_shape(type).values;
    require(n > 0 && n % block == 0, [&] {
        return std::string(what) + ": " + std::to_string(n) + " " + dtype_name(type) +
               " values is not a positive multiple of the block size " + std::to_string(block);
    });
}

void encode_f32(const float* x, std::int64_t n, std::byte* out) {
    std::memcpy(out, x, static_cast<std::size_t>(n) * sizeof(float));
}
template <std::uint16_t (*Convert)(float)>
void encode_16_bit(const float* x, std::int64_t n, std::byte* out) {
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint16_t bits = Convert(x[i]);
        std::memcpy(out + i * 2, &bits, sizeof bits);
    }
}

void decode_f32(const std::byte* data, std::int64_t n, float* out) {
    std::memcpy(out, data, static_cast<std::size_t>(n) * sizeof(float));
}
template <float (*Convert)(std::uint16_t)>
void decode_16_bit(const std::byte* data, std::int64_t n, float* out) {
    for (std::int64_t i = 0; i < n; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, data + i * 2, sizeof bits);
        out[i] = Convert(bits);
    }
}

struct Codec {
    RowEncoder encode = nullptr;
    RowDecoder decode = nullptr;
};

Codec codec_of(DType type) {
    switch (type) {
        case DType::F32: return {encode_f32, decode_f32};
        case DType::F16: return {encode_16_bit<f32_to_f16>, decode_16_bit<f16_to_f32>};
        case DType::BF16: return {encode_16_bit<f32_to_bf16>, decode_16_bit<bf16_to_f32>};
        case DType::Q8_0: return {quantize_q8_0, dequantize_q8_0};
        case DType::Q4_0: return {quantize_q4_0, dequantize_q4_0};
        case DType::Q4_1: return {quantize_q4_1, dequantize_q4_1};
        case DType::Q5_0: return {quantize_q5_0, dequantize_q5_0};
        case DType::Q5_1: return {quantize_q5_1, dequantize_q5_1};
        case DType::Q2_K: return {quantize_q2_k, dequantize_q2_k};
        case DType::Q3_K: return {quantize_q3_k, dequantize_q3_k};
        case DType::Q4_K: return {quantize_q4_k, dequantize_q4_k};
        case DType::Q5_K: return {quantize_q5_k, dequantize_q5_k};
        case DType::Q6_K: return {quantize_q6_k, dequantize_q6_k};
        case DType::F8_E4M3: break;  // the time model's format only (dtype.hpp)
    }
    throw Error("the runtime has no kernel for " + dtype_name(type) + " weights");
}

}  // namespace

void quantize_row(DType type, const float* x, std::int64_t n, std::byte* out) {
    const Codec codec = codec_of(type);
    require_whole_blocks(type, n, "quantize_row");
    if (is_block_quantized(type)) {
        for (std::int64_t i = 0; i < n; ++i) {
            if (!std::isfinite(x[i])) {  // the message is built only on failure: this loop is hot
                throw Error("quantize_row: value " + std::to_string(i) + " is not finite (" + std::to_string(x[i]) +
                            "), cannot be quantised to " + dtype_name(type));
            }
        }
    }
    codec.encode(x, n, out);
}

void dequantize_values(DType type, const std::byte* data, std::int64_t n, float* out) {
    const Codec codec = codec_of(type);
    require_whole_blocks(type, n, "dequantize_values");
    codec.decode(data, n, out);
}

void dequantize_row(const Matrix& w, std::int64_t row, float* out) {
    validate_matrix(w, "dequantize_row matrix");
    require(row >= 0 && row < w.rows,
            "dequantize_row: row " + std::to_string(row) + " out of range [0, " + std::to_string(w.rows) + ")");
    dequantize_values(w.dtype, w.row(row), w.cols, out);
}

}  // namespace lpu::kernels
