#include "sim/chip/precision.hpp"

namespace lpu::sim {

std::string precision_name(Precision precision) {
    switch (precision) {
        case Precision::Int8: return "int8";
        case Precision::Fp8: return "fp8";
        case Precision::Fp16: return "fp16";
        case Precision::Fp32: return "fp32";
    }
    return "unknown";
}

}  // namespace lpu::sim
