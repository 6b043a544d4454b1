#include "runtime/compiler/tensor_shard.hpp"

#include <numeric>
#include <string>

#include "base/error.hpp"

namespace lpu::compiler {
namespace {

// Columns of a block-quantised matrix come in blocks (32 values, 256 for the
// K-quants): a column range must start and end on a block boundary. F32/F16/BF16
// split anywhere. The granule of a tensor role is that of its largest block
// over every layer, and `why` says which type set it (for error messages).
struct ColumnGranule {
    std::int64_t columns = 1;
    std::string why;
};
ColumnGranule column_granule(const model::ModelConfig& config, model::WeightTensor role, const char* tensor) {
    ColumnGranule granule;
    for (int layer = 0; layer < config.n_layers; ++layer) {
        const kernels::DType dtype = config.dtype_of(role, layer);
        const std::int64_t block = kernels::block_shape(dtype).values;
        if (block > granule.columns) {
            granule = {block, std::string("; ") + tensor + " is " + kernels::dtype_name(dtype) +
                                  ", whose blocks of " + std::to_string(block) + " columns cannot be split"};
        }
    }
    return granule;
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
    const ColumnGranule wo_granule = column_granule(config, model::WeightTensor::wo, "wo");
    const std::int64_t head_granule = wo_granule.columns / std::gcd(wo_granule.columns, shard.head_dim);
    const std::int64_t group = config.n_heads / config.n_kv_heads;
    const std::int64_t group_granule = std::lcm(head_granule, group);
    // Whole GQA groups per rank keep KV heads unshared; fall back to an even split
    // of query heads (sharing KV heads) when there are fewer groups than ranks.
    const bool split_by_group = config.n_heads / group_granule >= tp;
    const std::string heads_what = "query heads (n_heads" + wo_granule.why + ")";
    shard.query_heads = split_range(config.n_heads, tp, rank, split_by_group ? group_granule : head_granule,
                                    heads_what.c_str());
    shard.kv_heads = {shard.query_heads.begin / group, (shard.query_heads.end + group - 1) / group};
    shard.kv_heads_shared = shard.query_heads.begin % group != 0 || shard.query_heads.end % group != 0;

    const ColumnGranule down_granule = column_granule(config, model::WeightTensor::w_down, "w_down");
    const std::string hidden_what = "MLP hidden units (hidden_dim" + down_granule.why + ")";
    shard.hidden = split_range(config.hidden_dim, tp, rank, down_granule.columns, hidden_what.c_str());
    shard.vocab = split_range(config.vocab_size, tp, rank, 1, "vocabulary rows (vocab_size)");
    return shard;
}

}  // namespace lpu::compiler
