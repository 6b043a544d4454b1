#include "sim/chip/cost_model.hpp"

#include <algorithm>
#include <string>

#include "base/error.hpp"

namespace lpu::sim {
namespace {

// Shapes come from model files; a product too large for int64 is a bad input,
// never a silent wrap-around.
std::int64_t checked_multiply(std::int64_t a, std::int64_t b) {
    std::int64_t product = 0;
    require(!__builtin_mul_overflow(a, b, &product),
            "cost model: size " + std::to_string(a) + " x " + std::to_string(b) +
                " overflows 64 bits");
    return product;
}

std::int64_t ceil_divide(std::int64_t numerator, std::int64_t denominator) {
    return numerator / denominator + (numerator % denominator != 0 ? 1 : 0);
}

std::int64_t round_up(std::int64_t value, std::int64_t multiple) {
    return checked_multiply(ceil_divide(value, multiple), multiple);
}

void require_positive(std::int64_t value, const char* what) {
    require(value >= 1, std::string("cost model: ") + what + " must be >= 1, got " +
                            std::to_string(value));
}

// The TSP multiplies FP32 weights as two FP16 halves (see the header).
constexpr std::int64_t kFp32Passes = 2;

}  // namespace

std::int64_t vector_op_alu_ops_per_element(VectorOp op) {
    switch (op) {
        case VectorOp::Add:
        case VectorOp::Multiply: return 1;
        case VectorOp::Rope: return 3;
        case VectorOp::RmsNorm:
        case VectorOp::Silu: return 4;
        case VectorOp::Softmax: return 5;
    }
    return 1;
}

CostModel::CostModel(const ChipSpec& spec) : spec_(spec) { validate(spec_); }

std::int64_t CostModel::sram_transfer_cycles(std::int64_t bytes) const {
    // ceil(bytes x clock / bandwidth) in 128 bits: bytes x clock exceeds 64 bits
    // for terabyte-scale streams at GHz clocks.
    __extension__ using Wide = unsigned __int128;
    const Wide scaled = static_cast<Wide>(bytes) * static_cast<Wide>(spec_.clock_hz);
    const Wide rate = static_cast<Wide>(spec_.sram_bytes_per_second);
    const Wide cycles = (scaled + rate - 1) / rate;
    return static_cast<std::int64_t>(cycles);  // <= bytes x clock_hz / 1, fits int64
}

std::int64_t CostModel::product_issue_cycles(std::int64_t rows, std::int64_t cols,
                                             std::int64_t batch, std::int64_t count,
                                             Precision precision, const WeightPacking& packing) const {
    std::int64_t macs_per_cycle = spec_.int8_macs_per_cycle;
    std::int64_t passes = 1;
    switch (precision) {
        case Precision::Int8: break;
        case Precision::Fp8:
            require(spec_.fp8_macs_per_cycle > 0,
                    "chip '" + spec_.name + "' has no FP8 matrix mode (fp8_macs_per_cycle = 0)");
            macs_per_cycle = spec_.fp8_macs_per_cycle;
            break;
        case Precision::Fp16: macs_per_cycle = spec_.fp16_macs_per_cycle; break;
        case Precision::Fp32:
            macs_per_cycle = spec_.fp16_macs_per_cycle;
            passes = kFp32Passes;
            break;
    }
    const std::int64_t padded_macs = checked_multiply(
        checked_multiply(round_up(rows, spec_.mxm_plane_dim), round_up(cols, spec_.vector_lanes)),
        checked_multiply(checked_multiply(batch, passes), count));
    const std::int64_t compute_cycles = ceil_divide(padded_macs, macs_per_cycle);

    const std::int64_t row_bytes =
        packing.packed() ? checked_multiply(ceil_divide(cols, packing.block_values), packing.block_bytes)
                         : checked_multiply(cols, precision_bytes(precision));
    const std::int64_t streamed_bytes = checked_multiply(
        checked_multiply(round_up(row_bytes, spec_.vector_bytes), rows), count);
    const std::int64_t stream_cycles = sram_transfer_cycles(streamed_bytes);
    const std::int64_t install_rate = spec_.mxm_weight_install_bytes_per_cycle;
    const std::int64_t install_cycles = install_rate > 0 ? ceil_divide(streamed_bytes, install_rate) : 0;
    const std::int64_t unpack_cycles =
        packing.packed()
            ? vector_issue_cycles(checked_multiply(checked_multiply(rows, cols), count), packing.unpack_alu_ops)
            : 0;
    return std::max({compute_cycles, stream_cycles, install_cycles, unpack_cycles});
}

std::int64_t CostModel::matmul_cycles(const MatmulShape& shape) const {
    require_positive(shape.rows, "matmul rows");
    require_positive(shape.cols, "matmul cols");
    require_positive(shape.batch, "matmul batch");
    if (shape.packing.packed()) {
        require_positive(shape.packing.block_bytes, "packed weights' block bytes");
        require_positive(shape.packing.unpack_alu_ops, "packed weights' unpack ALU ops");
    }
    const std::int64_t unpack_latency = shape.packing.packed() ? spec_.vector_latency_cycles : 0;
    return product_issue_cycles(shape.rows, shape.cols, shape.batch, 1, shape.precision, shape.packing) +
           spec_.mxm_latency_cycles + unpack_latency;
}

std::int64_t CostModel::vector_issue_cycles(std::int64_t elements,
                                            std::int64_t alu_ops_per_element) const {
    const std::int64_t vectors = ceil_divide(elements, spec_.vector_lanes);
    return ceil_divide(checked_multiply(vectors, alu_ops_per_element), spec_.vector_alus_per_lane);
}

std::int64_t CostModel::vector_cycles(std::int64_t elements,
                                      std::int64_t alu_ops_per_element) const {
    require_positive(elements, "vector elements");
    require_positive(alu_ops_per_element, "vector ALU ops per element");
    return vector_issue_cycles(elements, alu_ops_per_element) + spec_.vector_latency_cycles;
}

std::int64_t CostModel::vector_op_cycles(VectorOp op, std::int64_t elements) const {
    return vector_cycles(elements, vector_op_alu_ops_per_element(op));
}

std::int64_t CostModel::attention_cycles(const AttentionShape& shape) const {
    require_positive(shape.query_heads, "attention query_heads");
    require_positive(shape.kv_heads, "attention kv_heads");
    require_positive(shape.head_dim, "attention head_dim");
    require_positive(shape.positions, "attention positions");
    require(shape.query_heads % shape.kv_heads == 0,
            "cost model: attention query_heads " + std::to_string(shape.query_heads) +
                " is not a multiple of kv_heads " + std::to_string(shape.kv_heads));
    const std::int64_t group = shape.query_heads / shape.kv_heads;
    // Scores: K [positions x head_dim] per KV head, its query heads as the batch.
    const std::int64_t scores = product_issue_cycles(shape.positions, shape.head_dim, group,
                                                     shape.kv_heads, shape.kv_precision);
    const std::int64_t softmax =
        vector_issue_cycles(checked_multiply(shape.query_heads, shape.positions),
                            vector_op_alu_ops_per_element(VectorOp::Softmax));
    // Weighted sum: V^T [head_dim x positions] per KV head.
    const std::int64_t weighted_sum = product_issue_cycles(shape.head_dim, shape.positions, group,
                                                           shape.kv_heads, shape.kv_precision);
    return scores + softmax + weighted_sum + 2 * spec_.mxm_latency_cycles +
           spec_.vector_latency_cycles;
}

std::int64_t CostModel::sram_copy_cycles(std::int64_t bytes) const {
    require(bytes >= 0, "cost model: SRAM copy of " + std::to_string(bytes) + " bytes");
    if (bytes == 0) return 0;
    const std::int64_t moved_bytes = checked_multiply(2, round_up(bytes, spec_.vector_bytes));
    return sram_transfer_cycles(moved_bytes) + spec_.sram_latency_cycles;
}

}  // namespace lpu::sim
