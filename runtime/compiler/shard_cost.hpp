#pragma once
// What one tensor-parallel shard costs a chip: cycles of its ops (from the
// chip's CostModel, the same ops the one-chip forward pass charges, see
// runtime/engine/single_chip_model.cpp) and SRAM bytes of its weights and KV
// cache. Costs are for a step attending to `positions` cached positions, the
// longest (slowest) step of a context of that length. Collective exchanges are
// not included here: grid_choice adds them.
#include <cstdint>

#include "runtime/compiler/tensor_shard.hpp"
#include "runtime/model/model_config.hpp"
#include "sim/chip/cost_model.hpp"

namespace lpu::compiler {

struct ShardCost {
    std::int64_t cycles = 0;
    std::int64_t bytes = 0;

    bool operator==(const ShardCost&) const = default;
};

// RoPE over `rotated_values` values (a shard's q and k): the cost model's Rope,
// plus one multiply per pair for scaled RoPE (frequency factors or linear
// scaling), the same figure on one chip and in plans.
std::int64_t rope_cycles(const model::ModelConfig& config, const sim::CostModel& cost, std::int64_t rotated_values);

// Adding the q/k/v biases of a shard to its `query` + 2 x `kv` values (0 without biases).
std::int64_t qkv_bias_cycles(const model::ModelConfig& config, const sim::CostModel& cost, std::int64_t query,
                             std::int64_t kv);

// Bytes every chip with layers holds whatever its shard: the RoPE frequency
// factors (Llama 3.1), else 0.
std::int64_t rope_factor_bytes(const model::ModelConfig& config);

// Transformer layer `layer_index`: norms (replicated), the shard's rows of
// wq/wk/wv (and of their biases), its columns of wo, its hidden units of
// gate/up/down (each matrix of its own type, ModelConfig::dtype_of), and an F32
// KV cache of `positions` positions for its KV heads. A mixture of experts holds that FFN
// slice for every expert (and the router) and pays for active_experts of them.
// Attention whose query heads do not
// split evenly over its KV heads is costed as if each KV head served the
// largest group (an upper bound).
ShardCost layer_cost(const model::ModelConfig& config, const TensorShard& shard, const sim::CostModel& cost,
                     int positions, int layer_index);

// The attention of this shard's query heads over `positions` cached positions,
// as the cost model takes it (an upper bound when the query heads do not split
// evenly over the shard's KV heads, see layer_cost).
sim::AttentionShape shard_attention_shape(const model::ModelConfig& config, const TensorShard& shard, int positions);

// The vocabulary-parallel embedding: this shard's rows of the token embedding
// and the dequantisation of one row.
ShardCost embedding_cost(const model::ModelConfig& config, const TensorShard& shard, const sim::CostModel& cost);

// The final norm and this shard's rows of the LM head. With a tied LM head on
// the chip that also holds the embedding, the matrix is not counted twice.
ShardCost head_cost(const model::ModelConfig& config, const TensorShard& shard, const sim::CostModel& cost,
                    bool embedding_on_same_chip);

// Activation buffers of one forward pass of this shard (residual, normed,
// projection, the shard's q / attention output / k / v / gate / up / logits,
// attention scores), plus a dim-float receive buffer for the all-reduce when tp > 1
// and, for a mixture of experts, the router's logits and an expert's output.
std::int64_t activation_bytes(const model::ModelConfig& config, const TensorShard& shard, int positions);

}  // namespace lpu::compiler
