#include "runtime/kernels/matrix.hpp"

#include <string>

#include "base/error.hpp"

namespace lpu::kernels {

void validate_matrix(const Matrix& w, const char* what) {
    const std::string name = std::string(what) + " (" + dtype_name(w.dtype) + ")";
    require(w.rows > 0 && w.cols > 0, name + " has shape " + std::to_string(w.rows) + " x " +
                                          std::to_string(w.cols) + "; both must be positive");
    require(w.data != nullptr, name + " has no data");
    const std::int64_t block = block_shape(w.dtype).values;
    require(w.cols % block == 0, [&] {
        return name + " has " + std::to_string(w.cols) + " columns, not a multiple of the " + dtype_name(w.dtype) +
               " block size " + std::to_string(block);
    });
}

}  // namespace lpu::kernels
