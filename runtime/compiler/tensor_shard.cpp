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

// How the model's heads and hidden units are cut tp ways: in granules that
// keep wo's and w_down's column ranges on block boundaries.
struct HeadAndHiddenSplit {
    std::int64_t group = 1;          // query heads per KV head
    bool split_by_group = false;     // whole GQA groups per rank (else query heads evenly)
    std::int64_t head_granule = 1;   // query heads per granule of the split
    std::string heads_what;
    std::int64_t hidden_granule = 1;
    std::string hidden_what;
};

HeadAndHiddenSplit head_and_hidden_split(const model::ModelConfig& config, int tp) {
    HeadAndHiddenSplit split;
    // Heads per granule so that wo's column range (heads x head_dim) is block-aligned.
    const ColumnGranule wo_granule = column_granule(config, model::WeightTensor::wo, "wo");
    const std::int64_t head_granule = wo_granule.columns / std::gcd(wo_granule.columns, static_cast<std::int64_t>(config.head_dim()));
    split.group = config.n_heads / config.n_kv_heads;
    const std::int64_t group_granule = std::lcm(head_granule, split.group);
    // Whole GQA groups per rank keep KV heads unshared; fall back to an even split
    // of query heads (sharing KV heads) when there are fewer groups than ranks.
    split.split_by_group = config.n_heads / group_granule >= tp;
    split.head_granule = split.split_by_group ? group_granule : head_granule;
    split.heads_what = "query heads (n_heads" + wo_granule.why + ")";
    const ColumnGranule down_granule = column_granule(config, model::WeightTensor::w_down, "w_down");
    split.hidden_granule = down_granule.columns;
    split.hidden_what = "MLP hidden units (hidden_dim" + down_granule.why + ")";
    return split;
}

constexpr const char* kVocabWhat = "vocabulary rows (vocab_size)";

}  // namespace

std::optional<std::string> tensor_parallel_refusal(const model::ModelConfig& config, int tp) {
    if (tp < 1 || tp > config.n_heads) {
        return "tensor-parallel degree tp = " + std::to_string(tp) + " must be between 1 and the model's n_heads = " +
               std::to_string(config.n_heads);
    }
    const HeadAndHiddenSplit split = head_and_hidden_split(config, tp);
    if (auto refusal = split_refusal(config.n_heads, tp, split.head_granule, split.heads_what.c_str())) return refusal;
    if (auto refusal = split_refusal(config.hidden_dim, tp, split.hidden_granule, split.hidden_what.c_str())) {
        return refusal;
    }
    return split_refusal(config.vocab_size, tp, 1, kVocabWhat);
}

TensorShard shard_tensor_parallel(const model::ModelConfig& config, int tp, int rank) {
    model::validate(config);
    if (auto refusal = tensor_parallel_refusal(config, tp)) throw Error(*refusal);
    require(rank >= 0 && rank < tp, "tensor-parallel rank " + std::to_string(rank) + " outside [0, " +
                                        std::to_string(tp) + ")");
    const HeadAndHiddenSplit split = head_and_hidden_split(config, tp);
    TensorShard shard;
    shard.tp = tp;
    shard.rank = rank;
    shard.head_dim = config.head_dim();
    shard.query_heads = split_range(config.n_heads, tp, rank, split.head_granule, split.heads_what.c_str());
    shard.kv_heads = {shard.query_heads.begin / split.group, (shard.query_heads.end + split.group - 1) / split.group};
    shard.kv_heads_shared = shard.query_heads.begin % split.group != 0 || shard.query_heads.end % split.group != 0;
    shard.hidden = split_range(config.hidden_dim, tp, rank, split.hidden_granule, split.hidden_what.c_str());
    shard.vocab = split_range(config.vocab_size, tp, rank, 1, kVocabWhat);
    return shard;
}

}  // namespace lpu::compiler
