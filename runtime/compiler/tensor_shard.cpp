#include "runtime/compiler/tensor_shard.hpp"

#include <numeric>
#include <string>

#include "base/error.hpp"

namespace lpu::compiler {
namespace {

// Columns of a Q8_0 matrix come in blocks: a column range must start and end on
// a block boundary. Other dtypes split anywhere.
std::int64_t column_granule(kernels::DType dtype) {
    return dtype == kernels::DType::Q8_0 ? static_cast<std::int64_t>(kernels::kQ8BlockElements) : 1;
}

}  // namespace

TensorShard shard_tensor_parallel(const model::ModelConfig& config, int tp, int rank) {
    model::validate(config);
    require(tp >= 1 && tp <= config.n_heads, "tensor-parallel degree tp = " + std::to_string(tp) +
                                                 " must be between 1 and the model's n_heads = " +
                                                 std::to_string(config.n_heads));
    require(rank >= 0 && rank < tp, "tensor-parallel rank " + std::to_string(rank) + " outside [0, " +
                                        std::to_string(tp) + ")");
    TensorShard shard;
    shard.tp = tp;
    shard.rank = rank;
    shard.head_dim = config.head_dim();

    // Heads per granule so that wo's column range (heads x head_dim) is block-aligned.
    const std::int64_t column_block = column_granule(config.weight_dtype);
    const std::int64_t head_granule = column_block / std::gcd(column_block, shard.head_dim);
    const std::int64_t group = config.n_heads / config.n_kv_heads;
    const std::int64_t group_granule = std::lcm(head_granule, group);
    // Whole GQA groups per rank keep KV heads unshared; fall back to an even split
    // of query heads (sharing KV heads) when there are fewer groups than ranks.
    const bool split_by_group = config.n_heads / group_granule >= tp;
    shard.query_heads = split_range(config.n_heads, tp, rank, split_by_group ? group_granule : head_granule,
                                    "query heads (n_heads)");
    shard.kv_heads = {shard.query_heads.begin / group, (shard.query_heads.end + group - 1) / group};
    shard.kv_heads_shared = shard.query_heads.begin % group != 0 || shard.query_heads.end % group != 0;

    shard.hidden = split_range(config.hidden_dim, tp, rank, column_block, "MLP hidden units (hidden_dim)");
    shard.vocab = split_range(config.vocab_size, tp, rank, 1, "vocabulary rows (vocab_size)");
    return shard;
}

}  // namespace lpu::compiler
