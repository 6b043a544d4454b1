#include "runtime/engine/executable_model.hpp"

#include <string>

#include "base/error.hpp"

namespace lpu::engine {

void require_executable(const model::ModelConfig& config, Executor executor) {
    std::string message = "model '";
    message.append(config.name).append("': ");
    if (config.weight_dtype == kernels::DType::F8_E4M3) {
        message.append("the runtime cannot execute FP8 weights (it has no FP8 kernels); `lpu sim --dtype fp8` times them");
        throw Error(message);
    }
    if (config.is_mixture_of_experts() && executor == Executor::plan) {
        message.append("a mixture of experts (")
            .append(std::to_string(config.experts))
            .append(" experts) runs on one chip only for now (compiled plans have no expert routing yet): "
                    "drop --tp/--pp/--chips/--plan; `lpu sim` times it on many chips");
        throw Error(message);
    }
}

}  // namespace lpu::engine
