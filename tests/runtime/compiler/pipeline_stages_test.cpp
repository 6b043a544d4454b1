#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/compiler/pipeline_stages.hpp"

namespace lpu::compiler {

TEST_CASE("pipeline stages balance cycles, counting the embedding on the first stage") {
    const std::vector<ShardCost> layers(6, ShardCost{10, 10});
    const auto split = balance_stages(layers, {25, 0}, {0, 0}, 2, 1000);
    REQUIRE(split.stages.size() == 2);
    CHECK(split.stages[0].layers == IndexRange{0, 2});
    CHECK(split.stages[1].layers == IndexRange{2, 6});
    CHECK(split.stages[0].cost == ShardCost{45, 20});
    CHECK(split.max_stage_cycles == 45);
    CHECK(split.fits);

    const auto last_heavy = balance_stages(layers, {0, 0}, {25, 0}, 2, 1000);
    CHECK(last_heavy.stages[0].layers == IndexRange{0, 4});
}

TEST_CASE("pipeline stages give way to SRAM before cycles") {
    const std::vector<ShardCost> layers(6, ShardCost{10, 10});
    // Cycles alone would put 2 layers first; 30 bytes per stage force 3 + 3.
    const auto split = balance_stages(layers, {25, 0}, {0, 0}, 2, 30);
    CHECK(split.stages[0].layers == IndexRange{0, 3});
    CHECK(split.fits);

    const auto tight = balance_stages(layers, {0, 0}, {0, 0}, 2, 20);
    CHECK_FALSE(tight.fits);
    CHECK(tight.max_stage_bytes == 30);  // the least overflowing split
}

TEST_CASE("pipeline stages cover every layer once, one layer per stage at pp = n_layers") {
    const std::vector<ShardCost> layers(5, ShardCost{7, 3});
    for (int pp = 1; pp <= 5; ++pp) {
        const auto split = balance_stages(layers, {1, 1}, {2, 2}, pp, 100);
        REQUIRE(split.stages.size() == static_cast<std::size_t>(pp));
        std::int64_t next = 0;
        for (const auto& stage : split.stages) {
            CHECK(stage.layers.begin == next);
            CHECK(stage.layers.size() >= 1);
            next = stage.layers.end;
        }
        CHECK(next == 5);
    }
    CHECK_THROWS_WITH(balance_stages(layers, {}, {}, 6, 100), Catch::Contains("n_layers = 5"));
    CHECK_THROWS_AS(balance_stages(layers, {}, {}, 0, 100), Error);
}

}  // namespace lpu::compiler
