#include "runtime/compiler/shard_cost.hpp"

#include <algorithm>
#include <string>

#include "base/error.hpp"
#include "runtime/chip/precision.hpp"
#include "runtime/kernels/attention.hpp"

namespace lpu::compiler {
namespace {

std::int64_t float_bytes(std::int64_t count) { return count * static_cast<std::int64_t>(sizeof(float)); }

std::int64_t matrix_bytes(const model::ModelConfig& config, std::int64_t rows, std::int64_t cols) {
    return static_cast<std::int64_t>(kernels::dtype_bytes(config.weight_dtype, static_cast<std::size_t>(rows * cols)));
}

std::int64_t matvec_cycles(const model::ModelConfig& config, const sim::CostModel& cost, std::int64_t rows,
                           std::int64_t cols) {
    return cost.matmul_cycles({rows, cols, 1, chip::precision_of(config.weight_dtype)});
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
                     int positions) {
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
    layer.bytes = float_bytes(2 * dim) + 2 * matrix_bytes(config, query, dim) + 2 * matrix_bytes(config, kv, dim) +
                  3 * experts * matrix_bytes(config, hidden, dim) + float_bytes(2 * std::int64_t{positions} * kv) +
                  (moe ? float_bytes(experts * dim) : 0) + (config.qkv_bias ? float_bytes(query + 2 * kv) : 0);
    using sim::VectorOp;
    const std::int64_t expert_cycles = 2 * matvec_cycles(config, cost, hidden, dim) +
                                       cost.vector_op_cycles(VectorOp::Silu, hidden) +
                                       (moe ? 2 : 1) * cost.vector_op_cycles(VectorOp::Multiply, hidden) +
                                       matvec_cycles(config, cost, dim, hidden);
    const std::int64_t routing_cycles =
        moe ? cost.matmul_cycles({experts, dim, 1, sim::Precision::Fp32}) +
                  cost.vector_op_cycles(VectorOp::Softmax, experts) + (active - 1) * cost.vector_op_cycles(VectorOp::Add, dim)
            : 0;
    layer.cycles =
        // attention block
        cost.vector_op_cycles(VectorOp::RmsNorm, dim) + matvec_cycles(config, cost, query, dim) +
        2 * matvec_cycles(config, cost, kv, dim) + qkv_bias_cycles(config, cost, query, kv) +
        rope_cycles(config, cost, query + kv) +
        cost.sram_copy_cycles(float_bytes(2 * kv)) +
        cost.attention_cycles(shard_attention_shape(config, shard, positions)) +
        matvec_cycles(config, cost, dim, query) + cost.vector_op_cycles(VectorOp::Add, dim) +
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
            matrix_bytes(config, shard.vocab.size(), config.dim)};
}

ShardCost head_cost(const model::ModelConfig& config, const TensorShard& shard, const sim::CostModel& cost,
                    bool embedding_on_same_chip) {
    const bool holds_matrix = !(config.tied_output && embedding_on_same_chip);
    return {cost.vector_op_cycles(sim::VectorOp::RmsNorm, config.dim) +
                matvec_cycles(config, cost, shard.vocab.size(), config.dim),
            float_bytes(config.dim) + (holds_matrix ? matrix_bytes(config, shard.vocab.size(), config.dim) : 0)};
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
