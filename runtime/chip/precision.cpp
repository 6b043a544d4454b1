#include "runtime/chip/precision.hpp"

namespace lpu::chip {

sim::Precision precision_of(kernels::DType type) {
    switch (type) {
        case kernels::DType::Q8_0: return sim::Precision::Int8;
        case kernels::DType::F16:
        case kernels::DType::BF16: return sim::Precision::Fp16;
        case kernels::DType::F32: return sim::Precision::Fp32;
        case kernels::DType::F8_E4M3: return sim::Precision::Fp8;
    }
    return sim::Precision::Fp32;
}

}  // namespace lpu::chip
