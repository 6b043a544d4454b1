#pragma once
// CostModel: how many cycles of one chip each operation takes, from its ChipSpec.
// Outputs are cycles of that chip's own clock (int64); turning cycles into time
// is the Oscillator's job, not this one's.
//
// The model, kept simple and monotone (never cheaper for more work) so it can be
// calibrated later against published results (Llama-2 70B on ~576 chips):
//
// - Everything on chip moves in vectors of spec.vector_bytes (320 B) over
//   spec.vector_lanes (320) lanes, so sizes round up to whole vectors.
// - Matrix products (weights [rows x cols] times `batch` activation vectors) take
//   max(compute, weight streaming, weight install) + mxm_latency_cycles, where
//     compute   = padded MACs x passes / MACs per cycle of the precision; rows pad
//                 to the MXM plane (mxm_plane_dim, 320), cols to the vector lanes;
//     streaming = every weight row read once as whole vectors, at
//                 sram_bytes_per_second / clock_hz (80 TB/s at 900 MHz: 88,889 B/cycle);
//     install   = the same padded weight bytes taken into the matrix unit at
//                 mxm_weight_install_bytes_per_cycle (0: not a limit). It does not
//                 grow with the batch: weights installed once serve every
//                 activation vector, which is how batching amortises it.
//   INT8 uses int8_macs_per_cycle (4 planes x 320 x 320), FP16 fp16_macs_per_cycle
//   (1/4 of it), FP8 fp8_macs_per_cycle (refused when 0). The TSP has no FP32 mode:
//   FP32 weights cost two FP16 passes (the high and low halves of each weight),
//   which is how F32 accuracy is kept on an FP16 unit.
//   Packed weights (a WeightPacking: GGML's 4/5/6-bit and K-quant blocks) stream
//   their held bytes (whole blocks, scales included) and pass through the vector
//   unit first: unpack = vector issue cycles of rows x cols values at the
//   format's ALU operations per value. Streaming, unpacking and the MXM form a
//   pipeline, so the product takes max(compute, streaming, unpack) plus both
//   units' latencies (mxm_latency_cycles + vector_latency_cycles).
// - Vector ops over n elements with k ALU operations per element: ceil(n / lanes)
//   vectors, each lane retiring vector_alus_per_lane (16) operations per cycle:
//   ceil(vectors x k / alus_per_lane) + vector_latency_cycles.
// - Attention for one query position: QK^T (a product per KV head, the query
//   heads sharing it as the batch), softmax over the scores, then the weighted
//   sum of V; the three run one after another because each needs the previous one
//   complete.
// - SRAM copies read and write every vector once: 2 x bytes at the SRAM rate
//   + sram_latency_cycles.
#include <cstdint>

#include "sim/chip/chip_spec.hpp"
#include "sim/chip/precision.hpp"

namespace lpu::sim {

struct MatmulShape {
    std::int64_t rows = 0;   // output features (weight rows)
    std::int64_t cols = 0;   // input features (weight columns)
    std::int64_t batch = 1;  // activation vectors multiplied by the same weights
    Precision precision = Precision::Int8;
    WeightPacking packing{};  // how the weights are held, when packed below the precision
};

struct AttentionShape {
    std::int64_t query_heads = 0;
    std::int64_t kv_heads = 0;  // divides query_heads (grouped-query attention)
    std::int64_t head_dim = 0;
    std::int64_t positions = 0;  // cached positions the query attends to, >= 1
    Precision kv_precision = Precision::Fp16;
};

// Elementwise and reduction ops of a transformer layer, with the ALU operations
// each costs per element (our count of the arithmetic, an assumption to calibrate):
// Add, Multiply 1; Rope 3 (two products and a sum per rotated value);
// RmsNorm 4 (square, accumulate, scale by the inverse root, multiply by the weight);
// Silu 4 (exp, add, reciprocal, multiply); Softmax 5 (max, subtract, exp, sum, divide).
enum class VectorOp { Add, Multiply, Rope, RmsNorm, Silu, Softmax };

std::int64_t vector_op_alu_ops_per_element(VectorOp op);

class CostModel {
public:
    // Throws lpu::Error if the spec is invalid.
    explicit CostModel(const ChipSpec& spec);

    const ChipSpec& spec() const { return spec_; }

    // All dimensions >= 1; throws lpu::Error naming the bad argument, or when the
    // precision has no MXM mode on this chip (FP8 with fp8_macs_per_cycle = 0).
    std::int64_t matmul_cycles(const MatmulShape& shape) const;

    // elements >= 1, alu_ops_per_element >= 1.
    std::int64_t vector_cycles(std::int64_t elements, std::int64_t alu_ops_per_element) const;
    std::int64_t vector_op_cycles(VectorOp op, std::int64_t elements) const;

    std::int64_t attention_cycles(const AttentionShape& shape) const;

    // bytes >= 0; copying nothing costs nothing.
    std::int64_t sram_copy_cycles(std::int64_t bytes) const;

private:
    // A product without its pipeline latency, repeated `count` times back to back.
    std::int64_t product_issue_cycles(std::int64_t rows, std::int64_t cols, std::int64_t batch,
                                      std::int64_t count, Precision precision, const WeightPacking& packing = {}) const;
    std::int64_t vector_issue_cycles(std::int64_t elements, std::int64_t alu_ops_per_element) const;
    std::int64_t sram_transfer_cycles(std::int64_t bytes) const;

    ChipSpec spec_;
};

}  // namespace lpu::sim
