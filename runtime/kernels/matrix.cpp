#include "runtime/kernels/matrix.hpp"

#include <string>

#include "base/error.hpp"

namespace lpu::kernels {

void validate_matrix(const Matrix& w, const char* what) {
    const std::string name = std::string(what) + " (" + dtype_name(w.dtype) + ")";
    require(w.rows > 0 && w.cols > 0, name + " has shape " + std::to_string(w.rows) + " x " +
                                          std::to_string(w.cols) + "; both must be positive");
    require(w.data != nullptr, name + " has no data");
    require(w.dtype != DType::Q8_0 || w.cols % static_cast<std::int64_t>(kQ8BlockElements) == 0,
            name + " has " + std::to_string(w.cols) + " columns, not a multiple of the Q8_0 block size " +
                std::to_string(kQ8BlockElements));
}

}  // namespace lpu::kernels
