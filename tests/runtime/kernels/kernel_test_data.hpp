#pragma once
// Deterministic inputs for the kernel tests: seeded random floats and weight
// matrices of any DType built from them.
#include <cstdint>
#include <random>
#include <vector>

#include "runtime/kernels/matrix.hpp"
#include "runtime/kernels/quantize.hpp"

namespace lpu::kernels::test {

inline std::vector<float> random_floats(std::int64_t n, std::uint32_t seed, float low = -1.0f, float high = 1.0f) {
    std::mt19937 engine(seed);
    std::uniform_real_distribution<float> distribution(low, high);
    std::vector<float> values(static_cast<std::size_t>(n));
    for (auto& value : values) value = distribution(engine);
    return values;
}

// A matrix that owns its bytes; `view` points into `bytes`.
struct OwnedMatrix {
    std::vector<std::byte> bytes;
    Matrix view;

    OwnedMatrix(const OwnedMatrix&) = delete;
    OwnedMatrix& operator=(const OwnedMatrix&) = delete;
    OwnedMatrix(DType dtype, std::int64_t rows, std::int64_t cols, const std::vector<float>& values)
        : bytes(dtype_bytes(dtype, static_cast<std::size_t>(rows * cols))), view{dtype, rows, cols, nullptr} {
        view.data = bytes.data();
        for (std::int64_t r = 0; r < rows; ++r) {
            quantize_row(dtype, values.data() + r * cols, cols, bytes.data() + static_cast<std::size_t>(r) * view.row_bytes());
        }
    }
};

inline OwnedMatrix random_matrix(DType dtype, std::int64_t rows, std::int64_t cols, std::uint32_t seed) {
    return OwnedMatrix(dtype, rows, cols, random_floats(rows * cols, seed));
}

}  // namespace lpu::kernels::test
