#include "runtime/chip/sram_arena.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"

namespace {

using lpu::chip::SramArena;
using lpu::chip::SramUse;

lpu::sim::ChipSpec spec_with_sram(std::int64_t sram_bytes) {
    auto spec = lpu::sim::chip_spec_preset("tsp-v1");
    spec.sram_bytes = sram_bytes;
    return spec;
}

}  // namespace

TEST_CASE("the arena holds exactly the chip's SRAM", "[sram_arena]") {
    SramArena arena(0, lpu::sim::chip_spec_preset("tsp-v1"));
    CHECK(arena.capacity_bytes() == 230'000'000);
    CHECK(arena.alignment_bytes() == 320);
    const auto all = arena.allocate(230'000'000, SramUse::Weights, "everything");
    CHECK(all.size() == 230'000'000);
    CHECK(arena.free_bytes() == 0);
    CHECK_THROWS_AS(arena.allocate(1, SramUse::Activations, "one more"), lpu::Error);
}

TEST_CASE("allocations are vector- and cache-line-aligned and usable", "[sram_arena]") {
    SramArena arena(0, spec_with_sram(32'000));
    const auto first = arena.allocate(1, SramUse::Weights, "a");
    const auto second = arena.allocate(100, SramUse::Weights, "b");
    const auto third = arena.allocate(321, SramUse::KvCache, "c");
    CHECK(arena.offset_of(first.data()) == 0);
    CHECK(arena.offset_of(second.data()) == 320);
    CHECK(arena.offset_of(third.data()) == 640);
    CHECK(arena.used_bytes() == 640 + 640);
    for (const auto& block : {first, second, third}) {
        CHECK(reinterpret_cast<std::uintptr_t>(block.data()) % 64 == 0);
        CHECK(std::all_of(block.begin(), block.end(), [](std::byte b) { return b == std::byte{0}; }));
    }
    std::fill(third.begin(), third.end(), std::byte{0x5a});
    CHECK(third.back() == std::byte{0x5a});
    CHECK(second.front() == std::byte{0});

    // A vector size that is not a multiple of 64 still gives host-aligned buffers.
    auto odd = spec_with_sram(32'000);
    odd.vector_bytes = 96;
    SramArena odd_arena(1, odd);
    CHECK(odd_arena.alignment_bytes() == 192);
    odd_arena.allocate(1, SramUse::Weights, "a");
    CHECK(odd_arena.offset_of(odd_arena.allocate(1, SramUse::Weights, "b").data()) == 192);
}

TEST_CASE("a full arena refuses with the bytes it is short", "[sram_arena]") {
    SramArena arena(7, spec_with_sram(3'200));
    arena.allocate(1'000, SramUse::Weights, "layer.0.wk");
    REQUIRE_THROWS_WITH(arena.allocate(2'500, SramUse::Weights, "layer.0.wq"),
                        "SRAM of chip 7 full: 'layer.0.wq' needs 2500 bytes, only 1920 of 3200 "
                        "free (short by 580 bytes)");
    // The refused allocation left nothing behind.
    CHECK(arena.used_bytes() == 1'280);
    CHECK(arena.allocations().size() == 1);
    REQUIRE_THROWS_WITH(arena.allocate(0, SramUse::Weights, "empty"),
                        Catch::Matchers::Contains("'empty'"));
    REQUIRE_THROWS_AS(arena.allocate(-4, SramUse::Weights, "negative"), lpu::Error);
}

TEST_CASE("the arena keeps totals per use and a peak", "[sram_arena]") {
    SramArena arena(3, spec_with_sram(1'000'000));
    arena.allocate(1'000, SramUse::Weights, "w");
    arena.allocate(640, SramUse::Weights, "w2");
    arena.allocate(5'000, SramUse::KvCache, "kv");
    arena.allocate(320, SramUse::ReceiveBuffers, "rx");
    arena.allocate(10, SramUse::Activations, "x");
    CHECK(arena.used_bytes(SramUse::Weights) == 1'280 + 640);
    CHECK(arena.used_bytes(SramUse::KvCache) == 5'120);
    CHECK(arena.used_bytes(SramUse::ReceiveBuffers) == 320);
    CHECK(arena.used_bytes(SramUse::Activations) == 320);
    CHECK(arena.used_bytes() == 1'920 + 5'120 + 320 + 320);
    CHECK(arena.peak_used_bytes() == arena.used_bytes());
    CHECK(arena.allocations()[2].label == "kv");
    CHECK(arena.allocations()[2].requested_bytes == 5'000);
    CHECK(arena.usage_report() ==
          "chip 3 SRAM: 7680 of 1000000 bytes used, 992320 free, peak 7680; weights 1920; "
          "kv_cache 5120; activations 320; receive_buffers 320");
}

TEST_CASE("activations are reused after releasing to a mark", "[sram_arena]") {
    SramArena arena(0, spec_with_sram(10'000));
    arena.allocate(3'000, SramUse::Weights, "weights");
    const auto step_start = arena.mark();
    std::vector<std::byte*> first_step;
    for (int token = 0; token < 3; ++token) {
        std::vector<std::byte*> step;
        step.push_back(arena.allocate(2'000, SramUse::Activations, "x").data());
        step.push_back(arena.allocate(4'000, SramUse::Activations, "h").data());
        CHECK(arena.used_bytes(SramUse::Activations) == 2'240 + 4'160);
        if (token == 0) first_step = step;
        CHECK(step == first_step);  // same buffers every token
        arena.release_to(step_start);
        CHECK(arena.used_bytes(SramUse::Activations) == 0);
        CHECK(arena.used_bytes() == 3'200);
    }
    CHECK(arena.peak_used_bytes() == 3'200 + 2'240 + 4'160);
    // Without the release, the third buffer would not have fitted.
    CHECK(arena.free_bytes() == 6'800);
}

TEST_CASE("a stale mark is refused", "[sram_arena]") {
    SramArena arena(0, spec_with_sram(10'000));
    arena.allocate(100, SramUse::Weights, "a");
    const auto later = arena.mark();
    arena.allocate(100, SramUse::Activations, "b");
    arena.release_to(lpu::chip::SramMark{});  // back to empty
    REQUIRE_THROWS_WITH(arena.release_to(later),
                        Catch::Matchers::Contains("not part of the current allocation stack"));
    REQUIRE_THROWS_AS(arena.offset_of(nullptr), lpu::InternalError);
}

TEST_CASE("an arena moves, keeping its memory", "[sram_arena]") {
    SramArena source(2, spec_with_sram(6'400));
    const auto block = source.allocate(320, SramUse::KvCache, "kv");
    block[5] = std::byte{9};
    SramArena moved(std::move(source));
    CHECK(moved.capacity_bytes() == 6'400);
    CHECK(moved.used_bytes(SramUse::KvCache) == 320);
    CHECK(moved.offset_of(block.data()) == 0);
    CHECK(block[5] == std::byte{9});
    SramArena other(4, spec_with_sram(3'200));
    other = std::move(moved);
    CHECK(other.chip_id() == 2);
    CHECK(other.used_bytes() == 320);
}

TEST_CASE("many full-size arenas coexist because untouched SRAM costs nothing", "[sram_arena]") {
    std::vector<SramArena> chips;
    for (int id = 0; id < 64; ++id) chips.emplace_back(id, lpu::sim::chip_spec_preset("tsp-v1"));
    chips.back().allocate(1'000, SramUse::Weights, "w")[999] = std::byte{1};
    CHECK(chips.size() == 64);
    CHECK(chips[10].capacity_bytes() == 230'000'000);
}
