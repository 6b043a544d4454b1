#include "runtime/engine/executable_model.hpp"

#include "base/error.hpp"

namespace lpu::engine {

void require_executable(const model::ModelConfig& config) {
    require(config.weight_dtype != kernels::DType::F8_E4M3,
            "model '" + config.name +
                "': the runtime cannot execute FP8 weights (it has no FP8 kernels); `lpu sim --dtype fp8` times them");
}

}  // namespace lpu::engine
