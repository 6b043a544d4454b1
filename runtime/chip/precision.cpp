#include "runtime/chip/precision.hpp"

namespace lpu::chip {

sim::Precision precision_of(kernels::DType type) {
    switch (type) {
        case kernels::DType::F16:
        case kernels::DType::BF16: return sim::Precision::Fp16;
        case kernels::DType::F32: return sim::Precision::Fp32;
        case kernels::DType::F8_E4M3: return sim::Precision::Fp8;
        case kernels::DType::Q8_0:
        case kernels::DType::Q4_0:
        case kernels::DType::Q4_1:
        case kernels::DType::Q5_0:
        case kernels::DType::Q5_1:
        case kernels::DType::Q2_K:
        case kernels::DType::Q3_K:
        case kernels::DType::Q4_K:
        case kernels::DType::Q5_K:
        case kernels::DType::Q6_K: return sim::Precision::Int8;
    }
    return sim::Precision::Fp32;
}

namespace {

std::int64_t unpack_alu_ops(kernels::DType type) {
    switch (type) {
        case kernels::DType::Q4_1:
        case kernels::DType::Q4_K:
        case kernels::DType::Q2_K: return 1;
        case kernels::DType::Q4_0: return 2;
        case kernels::DType::Q5_1:
        case kernels::DType::Q5_K: return 3;
        case kernels::DType::Q5_0:
        case kernels::DType::Q3_K:
        case kernels::DType::Q6_K: return 4;
        default: return 0;  // not packed
    }
}

}  // namespace

sim::WeightPacking packing_of(kernels::DType type) {
    const std::int64_t ops = unpack_alu_ops(type);
    if (ops == 0) return {};
    const kernels::BlockShape block = kernels::block_shape(type);
    return {block.values, block.bytes, ops};
}

sim::MatmulShape weight_product(kernels::DType type, std::int64_t rows, std::int64_t cols, std::int64_t batch) {
    return {rows, cols, batch, precision_of(type), packing_of(type)};
}

}  // namespace lpu::chip
