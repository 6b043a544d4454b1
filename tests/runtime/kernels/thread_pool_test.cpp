#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/thread_pool.hpp"
#include "tests/support/run_command.hpp"

using lpu::kernels::ThreadPool;

TEST_CASE("parallel_for covers [0, count) once in static contiguous chunks", "[kernels][thread_pool]") {
    for (int threads : {1, 2, 3, 5}) {
        ThreadPool pool(threads);
        CHECK(pool.thread_count() == threads);
        for (std::int64_t count : {1, 2, 3, 7, 100, 1001}) {
            std::vector<int> hits(static_cast<std::size_t>(count), 0);
            std::vector<std::pair<std::int64_t, std::int64_t>> chunks(static_cast<std::size_t>(threads), {-1, -1});
            std::atomic<int> chunk_calls{0};
            pool.parallel_for(count, [&](std::int64_t begin, std::int64_t end) {
                ++chunk_calls;
                for (std::int64_t i = begin; i < end; ++i) ++hits[static_cast<std::size_t>(i)];
                // Chunk t starts at count * t / threads: recover t from begin.
                for (int t = 0; t < threads; ++t) {
                    if (count * t / threads == begin && count * (t + 1) / threads == end) {
                        chunks[static_cast<std::size_t>(t)] = {begin, end};
                    }
                }
            });
            for (int hit : hits) REQUIRE(hit == 1);
            int non_empty = 0;
            for (int t = 0; t < threads; ++t) {
                const std::int64_t begin = count * t / threads, end = count * (t + 1) / threads;
                if (begin == end) continue;
                ++non_empty;
                REQUIRE(chunks[static_cast<std::size_t>(t)] == std::make_pair(begin, end));
            }
            REQUIRE(chunk_calls == non_empty);
        }
        int calls = 0;
        pool.parallel_for(0, [&](std::int64_t, std::int64_t) { ++calls; });
        CHECK(calls == 0);
    }
}

TEST_CASE("parallel_for runs chunks on several threads at once, one of them the caller", "[kernels][thread_pool]") {
    // Each body waits for the others to start: a thread that takes a chunk
    // cannot take another until all three run, so they run on three threads
    // (a caller that ran them alone, one after another, would wait in vain).
    ThreadPool pool(3);
    std::mutex mutex;
    std::condition_variable all_started;
    std::set<std::thread::id> ids;
    bool together = true;
    pool.parallel_for(3, [&](std::int64_t, std::int64_t) {
        std::unique_lock lock(mutex);
        ids.insert(std::this_thread::get_id());
        all_started.notify_all();
        together = all_started.wait_for(lock, std::chrono::seconds(60), [&] { return ids.size() == 3; }) && together;
    });
    CHECK(together);
    CHECK(ids.size() == 3);
    CHECK(ids.count(std::this_thread::get_id()) == 1);
}

TEST_CASE("an exception in a body reaches the caller and the pool stays usable", "[kernels][thread_pool]") {
    ThreadPool pool(3);
    // Chunks 1 and 2 throw; the lowest chunk's exception wins.
    CHECK_THROWS_WITH(pool.parallel_for(3,
                                        [](std::int64_t begin, std::int64_t) {
                                            if (begin >= 1) throw std::runtime_error("chunk " + std::to_string(begin));
                                        }),
                      "chunk 1");
    std::atomic<std::int64_t> sum{0};
    pool.parallel_for(100, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) sum += i;
    });
    CHECK(sum == 4950);
}

TEST_CASE("nested or concurrent parallel_for is refused, not deadlocked", "[kernels][thread_pool]") {
    ThreadPool pool(2);
    CHECK_THROWS_WITH(pool.parallel_for(2, [&](std::int64_t, std::int64_t) {
        pool.parallel_for(2, [](std::int64_t, std::int64_t) {});
    }),
                      Catch::Contains("one caller at a time"));
}

TEST_CASE("many pools can be built, used one after another and destroyed", "[kernels][thread_pool]") {
    std::vector<std::unique_ptr<ThreadPool>> pools;
    for (int i = 0; i < 8; ++i) pools.push_back(std::make_unique<ThreadPool>(2));
    for (int round = 0; round < 200; ++round) {
        for (auto& pool : pools) {
            std::atomic<int> total{0};
            pool->parallel_for(16, [&](std::int64_t begin, std::int64_t end) { total += static_cast<int>(end - begin); });
            REQUIRE(total == 16);
        }
    }
    pools.clear();
    ThreadPool idle(4);  // destroyed without ever running a job
}

TEST_CASE("bad pool sizes are refused", "[kernels][thread_pool]") {
    CHECK_THROWS_AS(ThreadPool(0), lpu::Error);
    CHECK_THROWS_AS(ThreadPool(100000), lpu::Error);
    ThreadPool pool(2);
    CHECK_THROWS_AS(pool.parallel_for(-1, [](std::int64_t, std::int64_t) {}), lpu::InternalError);
}

// How long a round trip takes is kernels_bench's business (a shared machine
// makes any limit here flaky); this checks that back-to-back calls, where a
// worker goes from one job straight to the next, each run every chunk once.
TEST_CASE("thousands of back-to-back parallel_for calls each run every chunk", "[kernels][thread_pool]") {
    ThreadPool pool(2);
    std::atomic<std::int64_t> sink{0};
    constexpr int kCalls = 2000;
    for (int i = 0; i < kCalls; ++i) {
        pool.parallel_for(2, [&](std::int64_t begin, std::int64_t end) { sink += end - begin; });
        REQUIRE(sink == 2 * (i + 1));
    }
}

// A child of the test below, run as its own process (hidden from the suite:
// the default pool is created once per process, by its first user).
TEST_CASE("print the default pool thread count", "[.]") {
    std::printf("threads=%d\n", lpu::kernels::default_thread_pool().thread_count());
}

TEST_CASE("LPU_THREADS sizes the default pool, and a malformed value is refused", "[kernels][thread_pool]") {
    const std::string child = std::filesystem::read_symlink("/proc/self/exe").string() +
                              " 'print the default pool thread count' 2>&1";
    const auto threads_with = [&](const std::string& value) {
        const auto result = lpu::test::run_shell("LPU_THREADS=" + value + " " + child);
        return result.out;
    };
    CHECK_THAT(threads_with("1"), Catch::Contains("threads=1\n"));
    CHECK_THAT(threads_with("3"), Catch::Contains("threads=3\n"));
    CHECK_THAT(threads_with("0"), Catch::Contains("LPU_THREADS='0' is not a thread count"));
    CHECK_THAT(threads_with("lots"), Catch::Contains("LPU_THREADS='lots' is not a thread count"));
}
