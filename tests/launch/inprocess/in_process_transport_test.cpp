// The in-process Transport, and schedules executed over it with real buffers:
// every algorithm x op x participants x sizes equals a naive computation —
// exactly for integers, bitwise for floats in the documented fold order.
#include <cmath>
#include <cstring>
#include <type_traits>
#include <numeric>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "collectives/algorithms/registry.hpp"
#include "collectives/executor.hpp"
#include "launch/inprocess/in_process_transport.hpp"
#include "tests/collectives/test_participants.hpp"
#include "tests/support/build_flavour.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::launch::inprocess {
namespace {

using namespace lpu::collectives;

using testing::first_chips;
using testing::topology_for;

// Seeded inputs; floats spread over six orders of magnitude so that a
// different fold order almost surely changes some bits.
template <class T>
std::vector<std::vector<T>> make_inputs(std::size_t n, std::uint64_t elements) {
    std::vector<std::vector<T>> inputs(n, std::vector<T>(elements));
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    for (auto& buffer : inputs) {
        for (auto& value : buffer) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const auto bits = static_cast<std::uint32_t>(state >> 33);
            if constexpr (std::is_floating_point_v<T>) {
                value = static_cast<T>(bits % 2001) * std::pow(10.0f, static_cast<float>(bits % 7) - 3.0f);
            } else {
                value = static_cast<T>(bits) - static_cast<T>(1u << 30);  // sums wrap: the executor must too
            }
        }
    }
    return inputs;
}

template <class T>
std::vector<std::vector<T>> run(const Schedule& schedule, std::vector<std::vector<T>> buffers, unsigned threads,
                                std::uint64_t tile_bytes) {
    std::vector<std::span<T>> views(buffers.begin(), buffers.end());
    InProcessTransport transport;
    execute<T>(schedule, views, transport, ExecuteOptions{tile_bytes, threads, {}});
    CHECK(transport.pending() == 0);
    return buffers;
}

template <class T>
T add(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
    } else {
        return a + b;
    }
}

template <class T>
bool same_bits(T a, T b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// Counts the elements where the outputs of `op` differ from the naive
// computation on the inputs; `orders[k]` is the participant order in which
// the values of an element of block k are added.
template <class T>
std::size_t count_wrong(CollectiveOp op, std::uint64_t count, const std::vector<std::vector<T>>& in,
                        const std::vector<std::vector<T>>& out, const std::vector<std::vector<std::size_t>>& orders) {
    const std::size_t n = in.size();
    std::vector<std::size_t> owner(count);
    auto folded = [&](std::uint64_t e) {
        const auto& order = orders[owner[e]];
        T sum = in[order[0]][e];
        for (std::size_t k = 1; k < order.size(); ++k) sum = add(sum, in[order[k]][e]);
        return sum;
    };
    for (std::size_t k = 0; k < n; ++k) {
        const auto block = block_range(count, n, k);
        for (auto e = block.offset; e < block.end(); ++e) owner[e] = k;
    }
    std::size_t wrong = 0;
    for (std::uint64_t e = 0; e < count; ++e) {
        switch (op) {
            case CollectiveOp::all_reduce: {
                const T expected = folded(e);
                for (std::size_t i = 0; i < n; ++i) wrong += !same_bits(out[i][e], expected);
                break;
            }
            case CollectiveOp::reduce_scatter: wrong += !same_bits(out[owner[e]][e], folded(e)); break;
            case CollectiveOp::reduce: wrong += !same_bits(out[0][e], folded(e)); break;
            case CollectiveOp::all_gather:
                for (std::size_t i = 0; i < n; ++i) wrong += !same_bits(out[i][e], in[owner[e]][e]);
                break;
            case CollectiveOp::broadcast:
                for (std::size_t i = 0; i < n; ++i) wrong += !same_bits(out[i][e], in[0][e]);
                break;
            case CollectiveOp::point_to_point: wrong += !same_bits(out[1][e], in[0][e]); break;
            case CollectiveOp::all_to_all: {
                // Input element e of participant i is in block j = owner[e]: it lands
                // in output slot i of participant j, at the same place in the block.
                const std::size_t j = owner[e];
                const auto block = block_range(count, n, j);
                for (std::size_t i = 0; i < n; ++i) {
                    const auto slot = all_to_all_slot(count, n, i);
                    wrong += !same_bits(out[j][slot.offset + (e - block.offset)], in[i][e]);
                }
                break;
            }
        }
    }
    return wrong;
}

// The documented fold orders (algorithm headers): ring folds block k as
// members k+1, k+2, ..., k; direct as k, then 0, 1, ... skipping k; direct
// reduce as root then 1, 2, ...; any order for integers.
std::vector<std::size_t> fold_order(const std::string& algorithm, CollectiveOp op, std::size_t n, std::size_t k) {
    std::vector<std::size_t> order;
    if (algorithm == "ring") {
        for (std::size_t s = 1; s <= n; ++s) order.push_back((k + s) % n);
    } else if (algorithm == "direct" && op != CollectiveOp::reduce) {
        order.push_back(k);
        for (std::size_t j = 0; j < n; ++j) {
            if (j != k) order.push_back(j);
        }
    } else {
        order.resize(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
    }
    return order;
}

template <class T>
void check_execution(const std::string& algorithm_name, CollectiveOp op, std::size_t n, std::uint64_t count) {
    const auto& algorithm = find_algorithm(algorithm_name);
    const auto topology = topology::topology_from_spec(topology_for(algorithm_name, n));
    const Request request{op, first_chips(n), count, sizeof(T)};
    if (algorithm.unsupported_reason(topology, request)) return;
    INFO(algorithm_name << " " << op_name(op) << " n " << n << " count " << count);
    const auto schedule = algorithm.build(topology, request);
    const auto inputs = make_inputs<T>(n, schedule.buffer_elements);
    const auto whole = run(schedule, inputs, 1, std::uint64_t{1} << 40);
    std::vector<std::vector<std::size_t>> orders;
    for (std::size_t k = 0; k < n; ++k) orders.push_back(fold_order(algorithm_name, op, n, k));
    CHECK(count_wrong(op, count, inputs, whole, orders) == 0);
    // About 40 tiles of an odd size on 3 threads: bitwise the same as one pass.
    const auto tiled = run(schedule, inputs, 3, (schedule.buffer_elements / 40 | 1) * sizeof(T));
    for (std::size_t i = 0; i < n; ++i) CHECK(std::memcmp(whole[i].data(), tiled[i].data(), whole[i].size() * sizeof(T)) == 0);
}

}  // namespace

TEST_CASE("every algorithm and op matches the naive result, small sizes", "[launch][transport][collectives]") {
    for (const auto& algorithm : all_algorithms()) {
        for (std::size_t n : {2u, 3u, 4u, 7u, 8u, 16u, 72u}) {
            for (auto op : all_ops()) {
                const std::size_t members = op == CollectiveOp::point_to_point ? 2 : n;
                for (std::uint64_t count : {1u, 13u, 1001u}) {
                    check_execution<std::int32_t>(algorithm->name(), op, members, count);
                    check_execution<std::int64_t>(algorithm->name(), op, members, count);
                }
            }
        }
    }
}

TEST_CASE("floats fold bitwise in the documented order", "[launch][transport][collectives]") {
    for (const std::string algorithm : {"ring", "direct"}) {
        for (std::size_t n : {2u, 3u, 7u, 16u}) {
            for (auto op : {CollectiveOp::all_reduce, CollectiveOp::reduce_scatter, CollectiveOp::reduce}) {
                check_execution<float>(algorithm, op, n, 1001);
            }
        }
    }
}

TEST_CASE("1 MiB all-reduce on every algorithm and participant count", "[launch][transport][collectives]") {
    // check_execution cuts it into about 40 tiles whatever its size, so under
    // the sanitizers 64 KiB takes the same paths.
    const std::uint64_t bytes = test::per_build(std::uint64_t{1} << 20, std::uint64_t{64} << 10);
    for (const auto& algorithm : all_algorithms()) {
        for (std::size_t n : {2u, 3u, 4u, 7u, 8u, 16u, 72u}) {
            check_execution<std::int32_t>(algorithm->name(), CollectiveOp::all_reduce, n, bytes / 4);
        }
    }
}

TEST_CASE("64 MiB all-reduce", "[launch][transport][collectives][slow]") {
    for (const std::string algorithm : {"ring", "direct", "halving_doubling"}) {
        check_execution<std::int32_t>(algorithm, CollectiveOp::all_reduce, 3, (std::uint64_t{64} << 20) / 4);
    }
    check_execution<std::int32_t>("hierarchical", CollectiveOp::all_reduce, 8, (std::uint64_t{64} << 20) / 4);
}

TEST_CASE("in-process transport: zero-copy delivery and clear failures", "[launch][transport]") {
    InProcessTransport transport;
    const std::vector<std::int32_t> payload{1, 2, 3};
    const auto bytes = std::as_bytes(std::span(payload));
    transport.send(0, 1, 7, bytes);
    CHECK(transport.pending() == 1);
    const std::byte* seen = nullptr;
    transport.recv(1, 0, 7, bytes.size(), [&](std::span<const std::byte> message) { seen = message.data(); });
    CHECK(seen == bytes.data());  // the receiver reads the sender's memory
    CHECK(transport.pending() == 0);
    auto ignore = [](std::span<const std::byte>) {};
    CHECK_THROWS_WITH(transport.recv(1, 0, 7, 12, ignore), Catch::Contains("never sent"));
    transport.send(0, 1, 8, bytes);
    CHECK_THROWS_WITH(transport.send(0, 1, 8, bytes), Catch::Contains("sent twice"));
    CHECK_THROWS_WITH(transport.recv(1, 0, 8, 4, ignore), Catch::Contains("holds 12 bytes, the receiver expects 4"));
    transport.abort("chip 3 failed");
    CHECK_THROWS_WITH(transport.send(0, 1, 9, bytes), Catch::Contains("chip 3 failed"));
    CHECK(transport.pending() == 0);
}

TEST_CASE("the executor refuses mismatched buffers", "[launch][transport]") {
    const auto topology = topology::topology_from_spec("fc:4");
    const auto schedule = find_algorithm("ring").build(topology, Request{CollectiveOp::all_reduce, first_chips(4), 10, 4});
    std::vector<std::vector<std::int32_t>> storage(4, std::vector<std::int32_t>(10));
    storage[2].resize(9);
    std::vector<std::span<std::int32_t>> views(storage.begin(), storage.end());
    InProcessTransport transport;
    CHECK_THROWS_WITH(execute<std::int32_t>(schedule, views, transport), Catch::Contains("participant 2 has 9 elements"));
    std::vector<std::span<std::int64_t>> wide(4);
    CHECK_THROWS_WITH(execute<std::int64_t>(schedule, wide, transport), Catch::Contains("4-byte elements"));
}

}  // namespace lpu::launch::inprocess
