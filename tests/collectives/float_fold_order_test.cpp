// The executor's float all-reduce is bitwise equal to the fold order each
// algorithm header documents (documented_fold.hpp), for every algorithm x
// participant count x size of the issue, tiled and on several threads.
#include <cmath>
#include <cstring>

#include <catch2/catch.hpp>

#include "collectives/algorithms/registry.hpp"
#include "collectives/executor.hpp"
#include "tests/collectives/documented_fold.hpp"
#include "tests/collectives/mailbox_transport.hpp"
#include "tests/collectives/test_participants.hpp"
#include "tests/support/build_flavour.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::collectives::testing {
namespace {

// Seeded inputs spread over six orders of magnitude, so that folding them in
// another order almost surely changes some bits.
std::vector<std::vector<float>> spread_inputs(std::size_t n, std::uint64_t count) {
    std::vector<std::vector<float>> inputs(n, std::vector<float>(count));
    std::uint64_t state = 0x2545F4914F6CDD1Dull;
    for (auto& buffer : inputs) {
        for (auto& value : buffer) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const auto bits = static_cast<std::uint32_t>(state >> 33);
            value = static_cast<float>(bits % 2001) * std::pow(10.0f, static_cast<float>(bits % 7) - 3.0f);
        }
    }
    return inputs;
}

// Runs `algorithm`'s float all-reduce with the executor (tiles of
// `tile_bytes`, two threads) and checks that no participant's element differs
// in any bit from the documented fold.
void check_documented_fold(const std::string& algorithm, std::size_t n, std::uint64_t count, std::uint64_t tile_bytes) {
    INFO(algorithm << " n " << n << " count " << count);
    const auto topology = topology::topology_from_spec(topology_for(algorithm, n));
    const Request request{CollectiveOp::all_reduce, first_chips(n), count, sizeof(float)};
    if (find_algorithm(algorithm).unsupported_reason(topology, request)) return;  // e.g. one_shot beyond a node
    const auto schedule = find_algorithm(algorithm).build(topology, request);
    const auto inputs = spread_inputs(n, count);
    auto buffers = inputs;
    std::vector<std::span<float>> views(buffers.begin(), buffers.end());
    MailboxTransport transport;
    execute<float>(schedule, views, transport, ExecuteOptions{tile_bytes, 2, {}});
    CHECK(transport.pending() == 0);
    const auto expected = documented_all_reduce(algorithm, topology, inputs);
    std::size_t wrong = 0;
    for (const auto& buffer : buffers) {
        for (std::uint64_t e = 0; e < count; ++e) wrong += std::memcmp(&buffer[e], &expected[e], sizeof(float)) != 0;
    }
    CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("the float inputs make the fold order visible", "[collectives][executor]") {
    const auto topology = topology::topology_from_spec("dragonfly:1");
    const auto inputs = spread_inputs(8, 1001);
    const auto ring = documented_all_reduce("ring", topology, inputs);
    const auto direct = documented_all_reduce("direct", topology, inputs);
    std::size_t differ = 0;
    for (std::size_t e = 0; e < ring.size(); ++e) differ += std::memcmp(&ring[e], &direct[e], sizeof(float)) != 0;
    CHECK(differ > 100);
}

TEST_CASE("one_shot folds like halving_doubling: the same bits on every chip", "[collectives][executor]") {
    const auto topology = topology::topology_from_spec("fc:8");
    const Request request{CollectiveOp::all_reduce, first_chips(8), 1001, sizeof(float)};
    const auto inputs = spread_inputs(8, 1001);
    std::vector<std::vector<float>> results;
    for (const std::string algorithm : {"one_shot", "halving_doubling"}) {
        auto buffers = inputs;
        std::vector<std::span<float>> views(buffers.begin(), buffers.end());
        MailboxTransport transport;
        execute<float>(find_algorithm(algorithm).build(topology, request), views, transport);
        for (const auto& buffer : buffers) CHECK(std::memcmp(buffer.data(), buffers[0].data(), 1001 * sizeof(float)) == 0);
        results.push_back(buffers[0]);
    }
    CHECK(std::memcmp(results[0].data(), results[1].data(), 1001 * sizeof(float)) == 0);
}

TEST_CASE("node_ports serves a full rack; its fold is checked there", "[collectives][executor]") {
    check_documented_fold("node_ports", 72, 1001, 4000);
    const auto rack = topology::topology_from_spec("dragonfly:1");
    const Request rack_request{CollectiveOp::all_reduce, first_chips(72), 80, sizeof(float)};
    CHECK_FALSE(find_algorithm("node_ports").unsupported_reason(rack, rack_request).has_value());
}

TEST_CASE("float all-reduce folds in the documented order, small and odd sizes", "[collectives][executor]") {
    for (const auto& algorithm : all_algorithms()) {
        for (std::size_t n : participant_counts) {
            for (std::uint64_t count : {1u, 13u, 1001u}) {
                // About 40 tiles of an odd size, so tiles cut through blocks.
                check_documented_fold(algorithm->name(), n, count, (count / 40 | 1) * sizeof(float));
            }
        }
    }
}

TEST_CASE("float all-reduce of 1 MiB folds in the documented order", "[collectives][executor]") {
    // In tiles of 128 KiB; under the sanitizers a quarter of it in quarter tiles:
    // the same 8 tiles, and the same paths through them.
    const std::uint64_t scale = test::per_build(1, 4);
    const std::uint64_t count = (std::uint64_t{1} << 20) / sizeof(float) / scale;
    for (const auto& algorithm : all_algorithms()) {
        for (std::size_t n : participant_counts) {
            check_documented_fold(algorithm->name(), n, count, ExecuteOptions{}.tile_bytes / scale);
        }
    }
}

TEST_CASE("float all-reduce of 64 MiB folds in the documented order", "[collectives][executor][slow]") {
    const std::uint64_t count = (std::uint64_t{64} << 20) / sizeof(float);
    // Three participants keep the memory in bounds; the 1 MiB case covers the larger counts.
    for (const auto& algorithm : all_algorithms()) {
        check_documented_fold(algorithm->name(), 3, count, ExecuteOptions{}.tile_bytes);
    }
}

}  // namespace lpu::collectives::testing
