#include "runtime/compiler/shard_cost.hpp"

#include <algorithm>
#include <string>

#include "base/error.hpp"
#include "runtime/chip/precision.hpp"
#include "runtime/kernels/attention.hpp"

namespace lpu::compiler {
namespace {

std::int64_t float_bytes(std::int64_t count) { return count * static_cast<std::int64_t>(sizeof(float)); }

using model::WeightTensor;

// One matrix (or a shard of it) of role `role` in layer `layer` (-1: embedding, output).
struct MatrixPart {
    WeightTensor role;
    int layer;
    std::int64_t rows, cols;
};

std::int64_t matrix_bytes(const model::ModelConfig& config, const MatrixPart& part) {
    return static_cast<std::int64_t>(
        kernels::dtype_bytes(config.dtype_of(part.role, part.layer), static_cast<std::size_t>(part.rows * part.cols)));
}

std::int64_t matvec_cycles(const model::ModelConfig& config, const sim::CostModel& cost, const MatrixPart& part) {
    return cost.matmul_cycles(chip::weight_product(config.dtype_of(part.role, part.layer), part.rows, part.cols));
}

}  // namespace

std::int64_t rope_cycles(const model::ModelConfig& config, const sim::CostModel& cost, std::int64_t rotated_values) {
    const std::int64_t scaling =
        config.has_rope_scaling() ? cost.vector_op_cycles(sim::VectorOp::Multiply, config.head_dim() / 2) : 0;
    return cost.vector_op_cycles(sim::VectorOp::Rope, rotated_values) + scaling;
}

std::int64_t qkv_bias_cycles(const model::ModelConfig& config, const sim::CostModel& cost, std::int64_t query,
                             std::int64_t kv) {
    if (!config.qkv_bias) return 0;
    return cost.vector_op_cycles(sim::VectorOp::Add, query) + 2 * cost.vector_op_cycles(sim::VectorOp::Add, kv);
}

std::int64_t rope_factor_bytes(const model::ModelConfig& config) {
    return config.rope_freq_factors ? float_bytes(config.head_dim() / 2) : 0;
}

ShardCost layer_cost(const model::ModelConfig& config, const TensorShard& shard, const sim::CostModel& cost,
                     int positions, int layer_index) {
    require(positions >= 1 && positions <= config.context_length,
            "positions " + std::to_string(positions) + " outside [1, context_length " +
                std::to_string(config.context_length) + "]");
    const std::int64_t dim = config.dim, query = shard.query_features().size(), kv = shard.kv_features().size();
    const std::int64_t hidden = shard.hidden.size();
    // A mixture of experts holds every expert's slice but runs k of them per
    // token, plus a router (F32, experts x dim) and its top-k (lowering.cpp).
    const std::int64_t experts = config.experts, active = config.active_experts;
    const bool moe = config.is_mixture_of_experts();
    ShardCost layer;
    const int l = layer_index;
    const MatrixPart wq{WeightTensor::wq, l, query, dim}, wk{WeightTensor::wk, l, kv, dim},
        wv{WeightTensor::wv, l, kv, dim}, wo{WeightTensor::wo, l, dim, query},
        w_gate{WeightTensor::w_gate, l, hidden, dim}, w_up{WeightTensor::w_up, l, hidden, dim},
        w_down{WeightTensor::w_down, l, dim, hidden};
    layer.bytes = float_bytes(2 * dim) + matrix_bytes(config, wq) + matrix_bytes(config, wo) +
                  matrix_bytes(config, wk) + matrix_bytes(config, wv) +
                  experts * (matrix_bytes(config, w_gate) + matrix_bytes(config, w_up) + matrix_bytes(config, w_down)) +
                  float_bytes(2 * std::int64_t{positions} * kv) + (moe ? float_bytes(experts * dim) : 0) +
                  (config.qkv_bias ? float_bytes(query + 2 * kv) : 0);
    using sim::VectorOp;
    const std::int64_t expert_cycles = matvec_cycles(config, cost, w_gate) + matvec_cycles(config, cost, w_up) +
                                       cost.vector_op_cycles(VectorOp::Silu, hidden) +
                                       (moe ? 2 : 1) * cost.vector_op_cycles(VectorOp::Multiply, hidden) +
                                       matvec_cycles(config, cost, w_down);
    const std::int64_t routing_cycles =
        moe ? cost.matmul_cycles({experts, dim, 1, sim::Precision::Fp32}) +
                  cost.vector_op_cycles(VectorOp::Softmax, experts) + (active - 1) * cost.vector_op_cycles(VectorOp::Add, dim)
            : 0;
    layer.cycles =
        // attention block
        cost.vector_op_cycles(VectorOp::RmsNorm, dim) + matvec_cycles(config, cost, wq) +
        matvec_cycles(config, cost, wk) + matvec_cycles(config, cost, wv) + qkv_bias_cycles(config, cost, query, kv) +
        rope_cycles(config, cost, query + kv) +
        cost.sram_copy_cycles(float_bytes(2 * kv)) +
        cost.attention_cycles(shard_attention_shape(config, shard, positions)) +
        matvec_cycles(config, cost, wo) + cost.vector_op_cycles(VectorOp::Add, dim) +
        // feed-forward block
        cost.vector_op_cycles(VectorOp::RmsNorm, dim) + routing_cycles + active * expert_cycles +
        cost.vector_op_cycles(VectorOp::Add, dim);
    return layer;
}

sim::AttentionShape shard_attention_shape(const model::ModelConfig& config, const TensorShard& shard, int positions) {
    const std::int64_t group = config.n_heads / config.n_kv_heads;
    const std::int64_t heads_per_kv = std::min(group, shard.query_heads.size());
    return {shard.kv_heads.size() * heads_per_kv, shard.kv_heads.size(), shard.head_dim, positions,
            sim::Precision::Fp32};
}

ShardCost embedding_cost(const model::ModelConfig& config, const TensorShard& shard, const sim::CostModel& cost) {
    return {cost.vector_op_cycles(sim::VectorOp::Multiply, config.dim),
            matrix_bytes(config, {WeightTensor::token_embedding, -1, shard.vocab.size(), config.dim})};
}

ShardCost head_cost(const model::ModelConfig& config, const TensorShard& shard, const sim::CostModel& cost,
                    bool embedding_on_same_chip) {
    const bool holds_matrix = !(config.tied_output && embedding_on_same_chip);
    const MatrixPart output{WeightTensor::output, -1, shard.vocab.size(), config.dim};
    return {cost.vector_op_cycles(sim::VectorOp::RmsNorm, config.dim) + matvec_cycles(config, cost, output),
            float_bytes(config.dim) + (holds_matrix ? matrix_bytes(config, output) : 0)};
}

std::int64_t activation_bytes(const model::ModelConfig& config, const TensorShard& shard, int positions) {
    const std::int64_t receive = shard.tp > 1 ? config.dim : 0;
    // MoE: the router's logits and one expert slot's output before it is summed.
    const std::int64_t routing = config.is_mixture_of_experts() ? config.experts + config.dim : 0;
    const auto scratch = static_cast<std::int64_t>(
        kernels::attention_scratch_floats(static_cast<int>(shard.query_heads.size()), positions));
    return float_bytes(3 * std::int64_t{config.dim} + 2 * shard.query_features().size() +
                       2 * shard.kv_features().size() + 2 * shard.hidden.size() + shard.vocab.size() + scratch +
                       receive + routing);
}

}  // namespace lpu::compiler
