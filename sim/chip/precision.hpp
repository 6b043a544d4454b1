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
// one F16 per 32 weights) are applied by the vector unit and not counted here;
// formats packed below a byte per value say so with a WeightPacking.
constexpr std::int64_t precision_bytes(Precision precision) {
    switch (precision) {
        case Precision::Int8:
        case Precision::Fp8: return 1;
        case Precision::Fp16: return 2;
        case Precision::Fp32: return 4;
    }
    return 4;
}

// Weights held in SRAM packed below their MXM precision (GGML's 4/5/6-bit and
// K-quant blocks): blocks of `block_values` values in `block_bytes` bytes,
// scales included, streamed from SRAM as held and unpacked to the precision by
// the vector unit, `unpack_alu_ops` ALU operations per value, before the MXM
// multiplies them. block_values 0: not packed (values stream at precision_bytes).
struct WeightPacking {
    std::int64_t block_values = 0;
    std::int64_t block_bytes = 0;
    std::int64_t unpack_alu_ops = 0;

    bool packed() const { return block_values > 0; }
};

}  // namespace lpu::sim
