#pragma once
// Number formats the matrix unit (MXM) can be asked to multiply. This is the
// time model's view of a weight type; the runtime maps its own tensor types onto
// it (runtime/chip/precision.hpp), because sim/ must not know runtime/.
#include <cstdint>
#include <string>

namespace lpu::sim {

enum class Precision { Int8, Fp8, Fp16, Fp32 };

std::string precision_name(Precision precision);

// Bytes one value occupies in SRAM. Block scales of quantised formats (Q8_0's
// one F16 per 32 weights) are applied by the vector unit and not counted here.
constexpr std::int64_t precision_bytes(Precision precision) {
    switch (precision) {
        case Precision::Int8:
        case Precision::Fp8: return 1;
        case Precision::Fp16: return 2;
        case Precision::Fp32: return 4;
    }
    return 4;
}

}  // namespace lpu::sim
