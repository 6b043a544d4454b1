#pragma once
// Tensor-parallel shard of a Llama model: which part of every layer rank `rank`
// of a `tp`-wide group holds, as index ranges into the full model's tensors
// (row-major, one row per output feature, see model_weights.hpp).
//
// - Query heads: a contiguous range per rank. When tp <= n_kv_heads the split
//   follows whole GQA groups where it can, so each rank owns its KV heads alone;
//   otherwise query heads are split evenly and a KV head is REPLICATED on every
//   rank whose query heads read it (query head h reads KV head h / group).
// - wq / wk / wv: the rows of this rank's query / KV heads. wo: the COLUMNS of
//   its query heads, giving a partial sum of the output (all-reduce after it).
// - MLP: a contiguous range of hidden units: ROWS of w_gate and w_up, COLUMNS of
//   w_down (partial sums again). hidden_dim need not divide by tp.
// - Vocabulary-parallel embedding and LM head: a contiguous range of vocab rows.
// - Block-quantised weights: every column range (wo, w_down) starts and ends on a
//   block boundary (32 values for Q8_0 and the legacy types, 256 for the
//   K-quants; the largest block of the role over all layers); ranges are chosen
//   that way, or lpu::Error saying which type needs it.
#include <cstdint>

#include "runtime/compiler/index_range.hpp"
#include "runtime/model/model_config.hpp"

namespace lpu::compiler {

struct TensorShard {
    int tp = 1;
    int rank = 0;
    std::int64_t head_dim = 0;
    IndexRange query_heads;   // heads this rank computes attention for
    IndexRange kv_heads;      // KV heads those query heads read
    bool kv_heads_shared = false;  // another rank holds a copy of one of them
    IndexRange hidden;        // hidden units of the MLP
    IndexRange vocab;         // embedding / LM head rows

    // Element ranges derived from the head ranges.
    IndexRange query_features() const { return {query_heads.begin * head_dim, query_heads.end * head_dim}; }
    IndexRange kv_features() const { return {kv_heads.begin * head_dim, kv_heads.end * head_dim}; }
};

// Throws lpu::Error when tp is outside [1, n_heads], rank outside [0, tp), the
// config is invalid, or a range cannot be made (e.g. fewer Q4_K blocks of hidden
// units than ranks), naming the field, the values and the type that needs the blocks.
TensorShard shard_tensor_parallel(const model::ModelConfig& config, int tp, int rank);

}  // namespace lpu::compiler
