// Weight formats and layers beyond the dense INT8/FP16 Llama the runtime runs:
// FP8 weights (one byte each, the chip's FP8 matrix rate, refused on a chip
// without one) and mixture-of-experts layers (every expert resident, k of them
// costed per token). The compiler plans and times both from the shape alone.
#include <catch2/catch.hpp>

#include <string>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "plan/validation.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/shard_cost.hpp"
#include "runtime/compiler/tensor_shard.hpp"
#include "runtime/compiler/weight_binding.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/chip/cost_model.hpp"
#include "tests/support/model_shapes.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::compiler {
namespace {

plan::Plan compile(const model::ModelConfig& config, const sim::ChipSpec& spec, int tp, int pp) {
    const std::string topology_spec = "fc:8";
    const auto topology = topology::topology_from_spec(topology_spec);
    CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.positions = 64;
    return compile_plan(config, shape_fingerprint(config), {&topology, topology_spec, &spec}, options);
}

std::int64_t weight_bytes(const plan::Plan& plan) {
    std::int64_t bytes = 0;
    for (const auto& chip : plan.chips) {
        for (const auto& buffer : chip.buffers) bytes += buffer.use == plan::BufferUse::weights ? buffer.size_bytes : 0;
    }
    return bytes;
}

sim::ChipSpec fp8_spec(std::int64_t fp8_macs_per_cycle) {
    sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    spec.name = "fp8-test-chip";
    spec.fp8_macs_per_cycle = fp8_macs_per_cycle;
    return spec;
}

model::ModelConfig with_dtype(kernels::DType dtype) {
    auto config = test::stories260k_config();
    config.weight_dtype = dtype;
    return config;
}

model::ModelConfig mixture(int experts, int active) {
    auto config = with_dtype(kernels::DType::Q8_0);
    config.hidden_dim = 192;  // whole Q8_0 blocks per TP rank
    config.experts = experts;
    config.active_experts = active;
    return config;
}

}  // namespace

TEST_CASE("a file of mixed weight types binds and sizes every matrix by its own type", "[compiler][quantized]") {
    // A Q4_K_M-like mix: Q4_K, with layer 1's attn_v and w_down and the output at Q6_K.
    auto config = with_dtype(kernels::DType::Q4_K);
    config.dim = 512;
    config.hidden_dim = 768;
    config.vocab_size = 512;
    config.weight_type_overrides = {{model::WeightTensor::wv, 1, kernels::DType::Q6_K},
                                    {model::WeightTensor::w_down, 1, kernels::DType::Q6_K},
                                    {model::WeightTensor::output, -1, kernels::DType::Q6_K}};
    const auto spec = sim::chip_spec_preset("tsp-v1");
    const plan::Plan plan = compile(config, spec, 2, 1);
    const auto& role = plan.chips[0].role;
    CHECK(bind_weight("layer.1.wv", role, config).dtype == kernels::DType::Q6_K);
    CHECK(bind_weight("layer.0.wv", role, config).dtype == kernels::DType::Q4_K);
    CHECK(bind_weight("layer.1.w_down", role, config).dtype == kernels::DType::Q6_K);
    CHECK(bind_weight("output", role, config).dtype == kernels::DType::Q6_K);
    CHECK(bind_weight("token_embedding", role, config).dtype == kernels::DType::Q4_K);
    // Weights at their file size: every matrix's bytes of its own type, split over
    // the two ranks, plus the F32 norms each rank holds a copy of.
    std::int64_t expected = 0;
    const auto bytes = [](kernels::DType dtype, std::int64_t rows, std::int64_t cols) {
        return static_cast<std::int64_t>(kernels::dtype_bytes(dtype, static_cast<std::size_t>(rows * cols)));
    };
    const std::int64_t kv = config.kv_dim();
    for (int l = 0; l < config.n_layers; ++l) {
        const auto type = [&](model::WeightTensor t) { return config.dtype_of(t, l); };
        expected += bytes(type(model::WeightTensor::wq), 512, 512) + bytes(type(model::WeightTensor::wk), kv, 512) +
                    bytes(type(model::WeightTensor::wv), kv, 512) + bytes(type(model::WeightTensor::wo), 512, 512) +
                    2 * bytes(kernels::DType::Q4_K, 768, 512) + bytes(type(model::WeightTensor::w_down), 512, 768) +
                    2 * (2 * 512 * 4);
    }
    expected += bytes(kernels::DType::Q4_K, 512, 512) + bytes(kernels::DType::Q6_K, 512, 512) + 2 * 512 * 4;
    CHECK(weight_bytes(plan) == expected);
    // A mixed file is another model than its uniform twin.
    auto uniform = config;
    uniform.weight_type_overrides.clear();
    CHECK(shape_fingerprint(uniform).hash != shape_fingerprint(config).hash);
}

TEST_CASE("FP8 weights take one byte each and the chip's FP8 matrix rate", "[compiler][fp8]") {
    const auto fp8 = compile(with_dtype(kernels::DType::F8_E4M3), fp8_spec(409'600), 2, 1);
    const auto fp16 = compile(with_dtype(kernels::DType::F16), fp8_spec(409'600), 2, 1);
    REQUIRE_NOTHROW(plan::validate(fp8));
    // Matrices are half the bytes of FP16; the norms stay F32 in both.
    const auto config = test::stories260k_config();
    const std::int64_t norm_bytes = 4 * (2 * config.n_layers + 1) * config.dim * 2;  // both ranks hold them
    CHECK(weight_bytes(fp8) - norm_bytes == (weight_bytes(fp16) - norm_bytes) / 2);

    // A slower FP8 mode makes the same plan slower, cycle for cycle from the cost model.
    const auto slow = compile(with_dtype(kernels::DType::F8_E4M3), fp8_spec(1'024), 2, 1);
    CHECK(plan::Retimer(slow).step_end_cycle(0) > plan::Retimer(fp8).step_end_cycle(0));
}

TEST_CASE("FP8 weights on a chip without an FP8 mode are refused naming the chip", "[compiler][fp8]") {
    const auto tsp = sim::chip_spec_preset("tsp-v1");
    CHECK_THROWS_WITH(compile(with_dtype(kernels::DType::F8_E4M3), tsp, 2, 1),
                      Catch::Contains("chip 'tsp-v1' has no FP8 matrix mode"));
}

TEST_CASE("a mixture of experts holds every expert and pays for the active ones", "[compiler][moe]") {
    const auto spec = sim::chip_spec_preset("tsp-v1");
    const sim::CostModel cost(spec);
    const auto dense = mixture(1, 1), two_of_eight = mixture(8, 2), one_of_eight = mixture(8, 1);
    const auto shard = shard_tensor_parallel(dense, 2, 0);
    const auto dense_layer = layer_cost(dense, shard, cost, 64, 0);
    const auto moe_layer = layer_cost(two_of_eight, shard, cost, 64, 0);
    const auto one_active = layer_cost(one_of_eight, shard, cost, 64, 0);

    // SRAM: eight experts' FFN slices and the F32 router.
    const std::int64_t ffn_bytes = 3 * static_cast<std::int64_t>(kernels::dtype_bytes(
                                           kernels::DType::Q8_0, static_cast<std::size_t>(shard.hidden.size() * dense.dim)));
    CHECK(moe_layer.bytes - dense_layer.bytes == 7 * ffn_bytes + 4 * 8 * dense.dim);
    CHECK(one_active.bytes == moe_layer.bytes);  // what is resident does not depend on k
    // Time: one more expert per token costs at least one more expert's matrices.
    const std::int64_t expert_matmuls = 2 * cost.matmul_cycles({shard.hidden.size(), dense.dim}) +
                                        cost.matmul_cycles({dense.dim, shard.hidden.size()});
    CHECK(moe_layer.cycles - one_active.cycles >= expert_matmuls);
    CHECK(one_active.cycles > dense_layer.cycles);  // the router

    // The compiled plan holds the same bytes, validates, and its step grows with k.
    const auto plan = compile(two_of_eight, spec, 2, 1);
    REQUIRE_NOTHROW(plan::validate(plan));
    CHECK(weight_bytes(plan) - weight_bytes(compile(dense, spec, 2, 1)) ==
          2 * two_of_eight.n_layers * (7 * ffn_bytes + 4 * 8 * dense.dim));
    CHECK(plan::Retimer(plan).step_end_cycle(0) > plan::Retimer(compile(one_of_eight, spec, 2, 1)).step_end_cycle(0));
    const auto binding = bind_weight("layer.0.experts.w_down", plan.chips[1].role, two_of_eight);
    CHECK(binding.stacked == 8);
    CHECK(binding.cols() == shard_tensor_parallel(two_of_eight, 2, 1).hidden.size());
}

TEST_CASE("a mixture of experts changes the model fingerprint, a dense model keeps its own", "[compiler][moe]") {
    const auto dense = mixture(1, 1);
    CHECK(shape_fingerprint(mixture(8, 2)).hash != shape_fingerprint(dense).hash);
    CHECK(shape_fingerprint(mixture(8, 2)).description.find("experts 8/2") != std::string::npos);
    CHECK(shape_fingerprint(dense).description.find("experts") == std::string::npos);
}

}  // namespace lpu::compiler
