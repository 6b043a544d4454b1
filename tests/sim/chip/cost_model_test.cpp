#include "sim/chip/cost_model.hpp"

#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "base/error.hpp"

namespace {

using lpu::sim::AttentionShape;
using lpu::sim::CostModel;
using lpu::sim::MatmulShape;
using lpu::sim::Precision;
using lpu::sim::VectorOp;

const CostModel& tsp_v1() {
    static const CostModel model(lpu::sim::chip_spec_preset("tsp-v1"));
    return model;
}

}  // namespace

TEST_CASE("matmul cycles, computed by hand for tsp-v1", "[cost_model]") {
    const CostModel& model = tsp_v1();
    // One 320x320 INT8 tile: 1 cycle of MACs, 102,400 B streamed = 2 cycles, + 64.
    CHECK(model.matmul_cycles({320, 320, 1, Precision::Int8}) == 66);
    // 4096x4096 INT8, batch 1: SRAM-bound. Rows of 13 vectors: 4096 x 4160 B at
    // 88,889 B/cycle = 191.7 -> 192, + 64.
    CHECK(model.matmul_cycles({4096, 4096, 1, Precision::Int8}) == 256);
    // FP16: 26 vectors per row: 34,078,720 B -> 384 cycles (compute 169), + 64.
    CHECK(model.matmul_cycles({4096, 4096, 1, Precision::Fp16}) == 448);
    // Batch 64 INT8 turns compute-bound: 4160 x 4160 x 64 / 409,600 = 2704, + 64.
    CHECK(model.matmul_cycles({4096, 4096, 64, Precision::Int8}) == 2768);
    // FP32 is two FP16 passes: 169 x 2 x 64 = 21,632, + 64.
    CHECK(model.matmul_cycles({4096, 4096, 64, Precision::Fp32}) == 21'696);
}

TEST_CASE("weight install bounds a product from below, and batching amortises it", "[cost_model]") {
    lpu::sim::ChipSpec spec = lpu::sim::chip_spec_preset("tsp-v1");
    spec.mxm_weight_install_bytes_per_cycle = 4'160;  // one padded 4096-byte row a cycle
    const CostModel model(spec);
    // 4096 rows of 4160 padded bytes: 4096 install cycles, above streaming (192) and compute.
    CHECK(model.matmul_cycles({4096, 4096, 1, Precision::Int8}) == 4096 + 64);
    // Batch 16 installs the same weights once: still 4096 (compute 676); per sequence 16x cheaper.
    CHECK(model.matmul_cycles({4096, 4096, 16, Precision::Int8}) == 4096 + 64);
    // Batch 64: compute (2704) stays below install; batch 128 (5408) is compute-bound.
    CHECK(model.matmul_cycles({4096, 4096, 128, Precision::Int8}) == 5408 + 64);
    // Rate 0 means installs never limit: the tsp-v1 figures.
    CHECK(tsp_v1().matmul_cycles({4096, 4096, 1, Precision::Int8}) == 256);
    // Monotone in the rate: a slower install never makes a product cheaper.
    spec.mxm_weight_install_bytes_per_cycle = 2'080;
    CHECK(CostModel(spec).matmul_cycles({4096, 4096, 1, Precision::Int8}) == 8192 + 64);
}

TEST_CASE("vector, attention and copy cycles, computed by hand for tsp-v1", "[cost_model]") {
    const CostModel& model = tsp_v1();
    // 4096 elements = 13 vectors x 4 ops / 16 ALUs per lane = 3.25 -> 4, + 24.
    CHECK(model.vector_op_cycles(VectorOp::RmsNorm, 4096) == 28);
    CHECK(model.vector_cycles(4096, 4) == 28);
    CHECK(model.vector_op_cycles(VectorOp::Add, 1) == 25);
    // 32 query heads over 8 KV heads of 128, 1000 positions, FP16 cache:
    // scores 128 + softmax 32 + weighted sum 128 + 2 x 64 + 24.
    CHECK(model.attention_cycles({32, 8, 128, 1000, Precision::Fp16}) == 440);
    // A copy reads and writes whole vectors: 1 byte moves 640 B -> 1 cycle, + 16.
    CHECK(model.sram_copy_cycles(0) == 0);
    CHECK(model.sram_copy_cycles(1) == 17);
    CHECK(model.sram_copy_cycles(1'000'000) == 39);
}

TEST_CASE("cost model is monotone in every dimension", "[cost_model]") {
    const CostModel& model = tsp_v1();
    const std::int64_t sizes[] = {1, 2, 64, 319, 320, 321, 1000, 4096, 11008, 32000};
    std::int64_t previous_rows = 0, previous_cols = 0, previous_batch = 0, previous_vector = 0,
                 previous_positions = 0, previous_copy = 0;
    for (const std::int64_t size : sizes) {
        const std::int64_t by_rows = model.matmul_cycles({size, 4096, 1, Precision::Int8});
        const std::int64_t by_cols = model.matmul_cycles({4096, size, 1, Precision::Fp16});
        const std::int64_t by_batch = model.matmul_cycles({4096, 4096, size, Precision::Int8});
        const std::int64_t by_vector = model.vector_op_cycles(VectorOp::Softmax, size);
        const std::int64_t by_positions = model.attention_cycles({32, 8, 128, size, Precision::Fp16});
        const std::int64_t by_copy = model.sram_copy_cycles(size);
        CHECK(by_rows >= previous_rows);
        CHECK(by_cols >= previous_cols);
        CHECK(by_batch >= previous_batch);
        CHECK(by_vector >= previous_vector);
        CHECK(by_positions >= previous_positions);
        CHECK(by_copy >= previous_copy);
        previous_rows = by_rows;
        previous_cols = by_cols;
        previous_batch = by_batch;
        previous_vector = by_vector;
        previous_positions = by_positions;
        previous_copy = by_copy;
    }
    CHECK(previous_positions > model.attention_cycles({32, 8, 128, 1, Precision::Fp16}));
}

TEST_CASE("wider weights never cost less", "[cost_model]") {
    const CostModel& model = tsp_v1();
    for (const std::int64_t batch : {1, 8, 256}) {
        const std::int64_t int8 = model.matmul_cycles({8192, 8192, batch, Precision::Int8});
        const std::int64_t fp16 = model.matmul_cycles({8192, 8192, batch, Precision::Fp16});
        const std::int64_t fp32 = model.matmul_cycles({8192, 8192, batch, Precision::Fp32});
        CHECK(int8 < fp16);
        CHECK(fp16 < fp32);
    }
}

TEST_CASE("packed weights stream at their held size and pay the vector unit to unpack", "[cost_model]") {
    const CostModel& model = tsp_v1();
    const lpu::sim::WeightPacking q4_k{256, 144, 1}, q6_k{256, 210, 4};
    // 4096x4096 Q4_K: rows of 16 blocks x 144 B = 2304 B -> 8 vectors; 4096 x 2560 B
    // streamed = 118 cycles; INT8 compute 43; unpacking 16,777,216 values at 1 ALU
    // op: 52,429 vectors / 16 ALUs per lane = 3277. Plus 64 (MXM) + 24 (vector).
    CHECK(model.matmul_cycles({4096, 4096, 1, Precision::Int8, q4_k}) == 3277 + 64 + 24);
    // Q6_K: 4 ops per value: 52,429 x 4 / 16 = 13,108.
    CHECK(model.matmul_cycles({4096, 4096, 1, Precision::Int8, q6_k}) == 13'108 + 64 + 24);
    // Unpacking is done once per product, whatever the batch: batch 256 is compute-bound again.
    CHECK(model.matmul_cycles({4096, 4096, 256, Precision::Int8, q4_k}) ==
          model.matmul_cycles({4096, 4096, 256, Precision::Int8}) + 24);
    CHECK(model.matmul_cycles({4096, 4096, 1, Precision::Int8, q6_k}) >
          model.matmul_cycles({4096, 4096, 1, Precision::Int8, q4_k}));
    REQUIRE_THROWS_WITH(model.matmul_cycles({320, 320, 1, Precision::Int8, {256, 144, 0}}),
                        Catch::Matchers::Contains("unpack ALU ops"));
}

TEST_CASE("FP8 costs at its own rate only where the chip has one", "[cost_model]") {
    REQUIRE_THROWS_WITH(tsp_v1().matmul_cycles({320, 320, 1, Precision::Fp8}),
                        Catch::Matchers::Contains("no FP8"));
    auto spec = lpu::sim::chip_spec_preset("tsp-v1");
    spec.fp8_macs_per_cycle = spec.int8_macs_per_cycle;
    const CostModel with_fp8(spec);
    CHECK(with_fp8.matmul_cycles({4096, 4096, 64, Precision::Fp8}) ==
          tsp_v1().matmul_cycles({4096, 4096, 64, Precision::Int8}));
}

TEST_CASE("cost model refuses bad shapes and overflow", "[cost_model]") {
    const CostModel& model = tsp_v1();
    using Catch::Matchers::Contains;
    REQUIRE_THROWS_WITH(model.matmul_cycles({0, 10, 1, Precision::Int8}), Contains("matmul rows"));
    REQUIRE_THROWS_WITH(model.matmul_cycles({10, 10, -1, Precision::Int8}),
                        Contains("matmul batch"));
    REQUIRE_THROWS_WITH(model.vector_cycles(0, 1), Contains("vector elements"));
    REQUIRE_THROWS_WITH(model.attention_cycles({32, 5, 128, 10, Precision::Fp16}),
                        Contains("not a multiple of kv_heads"));
    REQUIRE_THROWS_WITH(model.attention_cycles({32, 8, 128, 0, Precision::Fp16}),
                        Contains("attention positions"));
    REQUIRE_THROWS_AS(model.sram_copy_cycles(-1), lpu::Error);
    const std::int64_t huge = std::numeric_limits<std::int64_t>::max() / 2;
    REQUIRE_THROWS_WITH(model.matmul_cycles({huge, huge, 1, Precision::Int8}),
                        Contains("overflows"));
    auto bad = lpu::sim::chip_spec_preset("tsp-v1");
    bad.vector_lanes = 0;
    REQUIRE_THROWS_WITH(CostModel(bad), Contains("'vector_lanes'"));
}
