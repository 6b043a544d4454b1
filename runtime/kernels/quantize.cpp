#include "runtime/kernels/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "base/error.hpp"

namespace lpu::kernels {

void quantize_row_q8_0(const float* x, std::int64_t n, BlockQ8_0* out) {
    const auto block_elements = static_cast<std::int64_t>(kQ8BlockElements);
    require(n >= 0 && n % block_elements == 0,
            "quantize_row_q8_0: " + std::to_string(n) + " values is not a multiple of " +
                std::to_string(block_elements));
    for (std::int64_t block = 0; block < n / block_elements; ++block) {
        const float* values = x + block * block_elements;
        float max_abs = 0.0f;
        for (std::int64_t i = 0; i < block_elements; ++i) {
            if (!std::isfinite(values[i])) {  // the message is built only on failure: this loop is hot
                throw Error("quantize_row_q8_0: value " + std::to_string(block * block_elements + i) +
                            " is not finite (" + std::to_string(values[i]) + ")");
            }
            max_abs = std::max(max_abs, std::fabs(values[i]));
        }
        const float scale = max_abs / 127.0f;
        const float inverse_scale = scale != 0.0f ? 1.0f / scale : 0.0f;
        BlockQ8_0& target = out[block];
        target.scale_f16 = f32_to_f16(scale);
        for (std::int64_t i = 0; i < block_elements; ++i) {
            // |x * inverse_scale| <= 127 up to rounding; the clamp keeps the cast defined.
            const float q = std::clamp(std::round(values[i] * inverse_scale), -127.0f, 127.0f);
            target.quants[i] = static_cast<std::int8_t>(q);
        }
    }
}

void dequantize_row(const Matrix& w, std::int64_t row, float* out) {
    validate_matrix(w, "dequantize_row matrix");
    require(row >= 0 && row < w.rows,
            "dequantize_row: row " + std::to_string(row) + " out of range [0, " + std::to_string(w.rows) + ")");
    const std::byte* source = w.row(row);
    const std::int64_t n = w.cols;
    switch (w.dtype) {
        case DType::F32:
            std::memcpy(out, source, static_cast<std::size_t>(n) * sizeof(float));
            return;
        case DType::F16:
        case DType::BF16:
            for (std::int64_t i = 0; i < n; ++i) {
                std::uint16_t bits;
                std::memcpy(&bits, source + i * 2, sizeof bits);
                out[i] = w.dtype == DType::F16 ? f16_to_f32(bits) : bf16_to_f32(bits);
            }
            return;
        case DType::Q8_0:
            for (std::int64_t block = 0; block < n / static_cast<std::int64_t>(kQ8BlockElements); ++block) {
                BlockQ8_0 b;
                std::memcpy(&b, source + static_cast<std::size_t>(block) * sizeof(BlockQ8_0), sizeof b);
                const float scale = f16_to_f32(b.scale_f16);
                for (std::size_t i = 0; i < kQ8BlockElements; ++i) {
                    out[static_cast<std::size_t>(block) * kQ8BlockElements + i] = scale * static_cast<float>(b.quants[i]);
                }
            }
            return;
        case DType::F8_E4M3: break;  // the time model's format only (dtype.hpp)
    }
    throw Error(std::string("dequantize_row: the runtime has no kernel for ").append(dtype_name(w.dtype)).append(" weights"));
}

}  // namespace lpu::kernels
