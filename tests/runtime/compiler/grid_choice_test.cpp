#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/compiler/grid_choice.hpp"
#include "tests/support/model_shapes.hpp"

namespace lpu::compiler {
namespace {

// Bigger than a few chips: ~190 MB of F32 weights per layer, a 262 MB embedding.
model::ModelConfig too_big_config() {
    model::ModelConfig config;
    config.name = "too-big";
    config.dim = 2048;
    config.hidden_dim = 5632;
    config.n_layers = 16;
    config.n_heads = 16;
    config.n_kv_heads = 4;
    config.vocab_size = 32000;
    config.context_length = 2048;
    return config;
}

}  // namespace

TEST_CASE("every acceptance grid of stories260K has stages covering all layers and fits one chip each") {
    const auto config = test::stories260k_config();
    const auto spec = sim::chip_spec_preset("tsp-v1");
    const std::vector<std::pair<int, int>> grids{{1, 1}, {2, 1}, {4, 1}, {8, 1}, {1, 5}, {2, 5}, {4, 2}, {8, 5}};
    for (const auto& [tp, pp] : grids) {
        CAPTURE(tp, pp);
        const auto grid = estimate_grid(config, spec, tp, pp, config.context_length);
        CHECK(grid.fits);
        REQUIRE(grid.split.stages.size() == static_cast<std::size_t>(pp));
        std::int64_t next = 0;
        for (const auto& stage : grid.split.stages) {
            CHECK(stage.layers.begin == next);
            if (pp == 5) CHECK(stage.layers.size() == 1);
            next = stage.layers.end;
        }
        CHECK(next == config.n_layers);
        CHECK(grid.token_cycles > 0);
    }
    // Splitting a layer over more ranks makes each rank's share smaller.
    CHECK(estimate_grid(config, spec, 8, 1, 512).max_chip_bytes < estimate_grid(config, spec, 1, 1, 512).max_chip_bytes);
}

TEST_CASE("the all-reduce estimate is two hops of whole vectors") {
    const auto spec = sim::chip_spec_preset("tsp-v1");
    // 320 B at 12.2 GB/s and 900 MHz: 23.6 -> 24 cycles per vector; 64 floats = 1 vector.
    CHECK(link_hop_cycles(spec, 256) == spec.link_latency_mean_cycles + 24);
    CHECK(all_reduce_cycles(spec, 1000) == 2 * (spec.link_latency_mean_cycles + 4 * 24));
}

TEST_CASE("choose_grid picks the fitting grid with the lowest estimated latency") {
    const auto config = test::stories260k_config();
    const auto spec = sim::chip_spec_preset("tsp-v1");
    const auto chosen = choose_grid(config, spec, 8, 256);
    CHECK(chosen.tp * chosen.pp == 8);
    for (const auto& [tp, pp] : std::vector<std::pair<int, int>>{{2, 4}, {4, 2}, {8, 1}}) {
        CHECK(chosen.token_cycles <= estimate_grid(config, spec, tp, pp, 256).token_cycles);
    }
    // 7 chips: only 7 x 1 (tp 7 <= 8 heads); 1 x 7 would need 7 layers. 11 chips: no grid at all.
    CHECK(choose_grid(config, spec, 7, 256).tp == 7);
    CHECK_THROWS_WITH(choose_grid(config, spec, 11, 256), Catch::Contains("no tp x pp grid of 11"));
}

TEST_CASE("choose_grid refuses a model too big for the chips with the minimum count, and accepts that count") {
    const auto config = too_big_config();
    const auto spec = sim::chip_spec_preset("tsp-v1");
    std::string message;
    try {
        choose_grid(config, spec, 8, 2048);
    } catch (const Error& error) {
        message = error.what();
    }
    REQUIRE_THAT(message, Catch::Contains("short by") && Catch::Contains("it needs at least"));
    const auto at = message.find("at least ") + 9;
    const int min_chips = std::stoi(message.substr(at));
    CAPTURE(message);
    CHECK(min_chips > 8);
    const auto grid = choose_grid(config, spec, min_chips, 2048);
    CHECK(grid.fits);
    CHECK(grid.tp * grid.pp == min_chips);
    CHECK(grid.max_chip_bytes <= spec.sram_bytes);
    CHECK_THROWS_WITH(choose_grid(config, spec, min_chips - 1, 2048), Catch::Contains("at least " + std::to_string(min_chips)));
}

TEST_CASE("the grid search estimates each chip count once and refuses as choose_grid does") {
    const auto config = too_big_config();
    const auto spec = sim::chip_spec_preset("tsp-v1");
    GridSearch search(config, spec, 2048);
    const std::vector<GridEstimate>& first = search.grids(8);
    CHECK(&search.grids(8) == &first);  // estimated once, kept
    CHECK(first.size() == estimate_grids(config, spec, 8, 2048).size());
    CHECK_FALSE(search.best(8).has_value());
    const auto needed = search.minimum_chips();
    REQUIRE(needed.has_value());
    CHECK(needed == minimum_chips(config, spec, 2048));
    CHECK(search.best(*needed).has_value());
    std::string refused;
    try {
        choose_grid(config, spec, 8, 2048);
    } catch (const Error& error) {
        refused = error.what();
    }
    CHECK(std::string(search.refusal(8).what()) == refused);
    // No grid exists for a cache the model does not have, or for FP8 weights on a chip without FP8.
    CHECK(estimate_grids(config, spec, 8, 4096).empty());
    auto fp8 = config;
    fp8.weight_dtype = kernels::DType::F8_E4M3;
    auto no_fp8 = spec;
    no_fp8.fp8_macs_per_cycle = 0;
    CHECK(estimate_grids(fp8, no_fp8, 8, 2048).empty());
}

}  // namespace lpu::compiler
