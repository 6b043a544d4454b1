#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/compiler/index_range.hpp"
#include "runtime/compiler/tensor_shard.hpp"
#include "tests/support/model_shapes.hpp"

namespace lpu::compiler {
namespace {

// How many ranks hold each index of [0, count), from each rank's range.
std::vector<int> coverage(std::int64_t count, const std::vector<IndexRange>& ranges) {
    std::vector<int> holders(static_cast<std::size_t>(count), 0);
    for (const auto& range : ranges) {
        for (auto i = range.begin; i < range.end; ++i) ++holders.at(static_cast<std::size_t>(i));
    }
    return holders;
}

std::vector<TensorShard> all_ranks(const model::ModelConfig& config, int tp) {
    std::vector<TensorShard> shards;
    for (int rank = 0; rank < tp; ++rank) shards.push_back(shard_tensor_parallel(config, tp, rank));
    return shards;
}

}  // namespace

TEST_CASE("split_range divides a count into contiguous even parts on granule boundaries") {
    CHECK(split_range(172, 8, 0, 1, "x") == IndexRange{0, 21});
    CHECK(split_range(172, 8, 7, 1, "x") == IndexRange{150, 172});
    CHECK(split_range(128, 3, 1, 32, "x") == IndexRange{32, 64});
    CHECK(split_range(128, 3, 2, 32, "x") == IndexRange{64, 128});
    CHECK_THROWS_WITH(split_range(64, 3, 0, 32, "hidden"), Catch::Contains("fewer than the 3 parts"));
    CHECK_THROWS_WITH(split_range(100, 2, 0, 32, "hidden"), Catch::Contains("whole number"));
    CHECK_THROWS_AS(split_range(10, 2, 2, 1, "x"), Error);
}

TEST_CASE("tensor-parallel shards of stories260K cover every head, hidden unit and vocab row once") {
    const auto config = test::stories260k_config();
    const int group = config.n_heads / config.n_kv_heads;
    for (const int tp : {1, 2, 4, 8}) {
        CAPTURE(tp);
        const auto shards = all_ranks(config, tp);
        std::vector<IndexRange> heads, hidden, vocab;
        for (const auto& shard : shards) {
            heads.push_back(shard.query_heads);
            hidden.push_back(shard.hidden);
            vocab.push_back(shard.vocab);
            CHECK(shard.query_heads.size() >= 1);
            // Every query head's KV head is on its rank.
            for (auto h = shard.query_heads.begin; h < shard.query_heads.end; ++h) CHECK(shard.kv_heads.contains(h / group));
            // ... and no KV head that none of them reads.
            CHECK(shard.kv_heads.begin == shard.query_heads.begin / group);
            CHECK(shard.kv_heads.end == (shard.query_heads.end - 1) / group + 1);
            CHECK(shard.query_features() == IndexRange{shard.query_heads.begin * 8, shard.query_heads.end * 8});
        }
        CHECK(coverage(config.n_heads, heads) == std::vector<int>(8, 1));
        CHECK(coverage(config.hidden_dim, hidden) == std::vector<int>(172, 1));
        CHECK(coverage(config.vocab_size, vocab) == std::vector<int>(512, 1));
    }
}

TEST_CASE("tp up to the KV head count splits KV heads; beyond it they are shared") {
    const auto config = test::stories260k_config();
    for (const int tp : {1, 2, 4}) {
        std::vector<IndexRange> kv;
        for (const auto& shard : all_ranks(config, tp)) {
            CHECK_FALSE(shard.kv_heads_shared);
            kv.push_back(shard.kv_heads);
        }
        CHECK(coverage(config.n_kv_heads, kv) == std::vector<int>(4, 1));
    }
    const auto shards = all_ranks(config, 8);
    std::vector<IndexRange> kv;
    for (const auto& shard : shards) {
        CHECK(shard.query_heads == IndexRange{shard.rank, shard.rank + 1});
        CHECK(shard.kv_heads == IndexRange{shard.rank / 2, shard.rank / 2 + 1});
        CHECK(shard.kv_heads_shared);
        kv.push_back(shard.kv_heads);
    }
    CHECK(coverage(config.n_kv_heads, kv) == std::vector<int>(4, 2));
}

TEST_CASE("an uneven tp below the KV head count keeps whole GQA groups per rank") {
    auto config = test::stories260k_config();
    const auto shards = all_ranks(config, 3);
    CHECK(shards[0].query_heads == IndexRange{0, 2});
    CHECK(shards[1].query_heads == IndexRange{2, 4});
    CHECK(shards[2].query_heads == IndexRange{4, 8});
    for (const auto& shard : shards) CHECK_FALSE(shard.kv_heads_shared);
}

TEST_CASE("Q8_0 shards put every column range on a 32-column block boundary") {
    model::ModelConfig config = test::stories260k_config();
    config.weight_dtype = kernels::DType::Q8_0;
    config.dim = 256;          // head_dim 32
    config.hidden_dim = 704;   // 22 blocks of 32: not a multiple of 32 x tp
    for (const int tp : {2, 4, 8}) {
        std::vector<IndexRange> hidden;
        for (const auto& shard : all_ranks(config, tp)) {
            CHECK(shard.query_features().begin % 32 == 0);
            CHECK(shard.query_features().end % 32 == 0);
            CHECK(shard.hidden.begin % 32 == 0);
            CHECK(shard.hidden.end % 32 == 0);
            hidden.push_back(shard.hidden);
        }
        CHECK(coverage(config.hidden_dim, hidden) == std::vector<int>(704, 1));
    }
    // head_dim 16: two heads per block, so 8 heads give only 4 aligned column ranges.
    config.dim = 128;
    CHECK(shard_tensor_parallel(config, 4, 3).query_heads == IndexRange{6, 8});
    CHECK_THROWS_WITH(shard_tensor_parallel(config, 8, 0), Catch::Contains("query heads"));
    // 96 hidden units are 3 blocks: not enough for 4 ranks.
    config.hidden_dim = 96;
    CHECK_THROWS_WITH(shard_tensor_parallel(config, 4, 0), Catch::Contains("hidden_dim"));
}

TEST_CASE("K-quant shards put every column range on a 256-column block boundary, or say why not") {
    model::ModelConfig config = test::stories260k_config();
    config.weight_dtype = kernels::DType::Q4_K;
    config.dim = 512;          // head_dim 64: 4 heads per block
    config.hidden_dim = 1280;  // 5 blocks: not a multiple of tp
    for (const int tp : {2}) {
        std::vector<IndexRange> hidden;
        for (const auto& shard : all_ranks(config, tp)) {
            CHECK(shard.query_features().begin % 256 == 0);
            CHECK(shard.query_features().end % 256 == 0);
            CHECK(shard.hidden.begin % 256 == 0);
            CHECK(shard.hidden.end % 256 == 0);
            hidden.push_back(shard.hidden);
        }
        CHECK(coverage(config.hidden_dim, hidden) == std::vector<int>(1280, 1));
    }
    // 8 heads of 64 are two 256-column blocks of wo: 4 ranks cannot split them.
    CHECK_THROWS_WITH(shard_tensor_parallel(config, 4, 0),
                      Catch::Contains("query heads") && Catch::Contains("wo is Q4_K, whose blocks of 256 columns"));
    // A Q6_K w_down in one layer sets the hidden granule even when the others are F16.
    config.weight_dtype = kernels::DType::F16;
    config.weight_type_overrides = {{model::WeightTensor::w_down, 3, kernels::DType::Q6_K}};
    CHECK_THROWS_WITH(shard_tensor_parallel(config, 8, 0),
                      Catch::Contains("hidden_dim; w_down is Q6_K, whose blocks of 256 columns cannot be split"));
    CHECK(shard_tensor_parallel(config, 4, 3).hidden == IndexRange{768, 1280});
}

TEST_CASE("tensor-parallel sharding refuses a degree beyond the query heads") {
    const auto config = test::stories260k_config();
    CHECK_THROWS_WITH(shard_tensor_parallel(config, 16, 0), Catch::Contains("n_heads = 8"));
    CHECK_THROWS_WITH(shard_tensor_parallel(config, 0, 0), Catch::Contains("tp = 0"));
    CHECK_THROWS_WITH(shard_tensor_parallel(config, 4, 4), Catch::Contains("rank 4"));
}

}  // namespace lpu::compiler
