#include <cmath>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/kernels/attention.hpp"
#include "tests/runtime/kernels/kernel_test_data.hpp"

using namespace lpu::kernels;

namespace {

// Naive double-precision attention of query head h of the whole model, over a
// cache laid out with all kv heads per position.
std::vector<double> reference_head(const std::vector<float>& q_all, const std::vector<float>& keys,
                                   const std::vector<float>& values, int h, int n_heads, int n_kv_heads, int head_dim,
                                   std::int64_t n_positions) {
    const int kv = h / (n_heads / n_kv_heads);
    const std::int64_t stride = static_cast<std::int64_t>(n_kv_heads) * head_dim;
    std::vector<double> scores(static_cast<std::size_t>(n_positions));
    double max_score = -1e300;
    for (std::int64_t t = 0; t < n_positions; ++t) {
        double dot = 0.0;
        for (int i = 0; i < head_dim; ++i) {
            dot += static_cast<double>(q_all[static_cast<std::size_t>(h * head_dim + i)]) *
                   keys[static_cast<std::size_t>(t * stride + kv * head_dim + i)];
        }
        scores[static_cast<std::size_t>(t)] = dot / std::sqrt(static_cast<double>(head_dim));
        max_score = std::max(max_score, scores[static_cast<std::size_t>(t)]);
    }
    double total = 0.0;
    for (auto& s : scores) total += (s = std::exp(s - max_score));
    std::vector<double> out(static_cast<std::size_t>(head_dim), 0.0);
    for (std::int64_t t = 0; t < n_positions; ++t) {
        for (int i = 0; i < head_dim; ++i) {
            out[static_cast<std::size_t>(i)] += scores[static_cast<std::size_t>(t)] / total *
                                                values[static_cast<std::size_t>(t * stride + kv * head_dim + i)];
        }
    }
    return out;
}

struct Case {
    int n_heads = 8, n_kv_heads = 2, head_dim = 16;
    std::int64_t n_positions = 13;
    std::vector<float> q, keys, values;
    Case() {
        q = test::random_floats(n_heads * head_dim, 1, -2.0f, 2.0f);
        keys = test::random_floats(n_positions * n_kv_heads * head_dim, 2, -2.0f, 2.0f);
        values = test::random_floats(n_positions * n_kv_heads * head_dim, 3);
    }
    KvCacheView cache() const {
        return {keys.data(), values.data(), static_cast<std::int64_t>(n_kv_heads) * head_dim, n_positions};
    }
};

}  // namespace

TEST_CASE("attention matches a double reference with the GQA head mapping", "[kernels][attention]") {
    const Case c;
    ThreadPool pool(3);
    const auto heads = AttentionHeads::all(c.n_heads, c.n_kv_heads, c.head_dim);
    std::vector<float> out(c.q.size());
    std::vector<float> scratch(attention_scratch_floats(c.n_heads, c.n_positions));
    attention(c.q.data(), c.cache(), heads, out.data(), scratch.data(), pool);
    for (int h = 0; h < c.n_heads; ++h) {
        const auto expected = reference_head(c.q, c.keys, c.values, h, c.n_heads, c.n_kv_heads, c.head_dim, c.n_positions);
        for (int i = 0; i < c.head_dim; ++i) {
            REQUIRE(out[static_cast<std::size_t>(h * c.head_dim + i)] ==
                    Approx(expected[static_cast<std::size_t>(i)]).margin(1e-5));
        }
    }
    // Heads 0..3 share kv head 0: with identical queries they give identical outputs,
    // and head 4 (kv head 1) does not.
    std::vector<float> same_q(c.q.size());
    for (int h = 0; h < c.n_heads; ++h) std::memcpy(&same_q[static_cast<std::size_t>(h * c.head_dim)], c.q.data(), c.head_dim * sizeof(float));
    attention(same_q.data(), c.cache(), heads, out.data(), scratch.data(), pool);
    CHECK(std::memcmp(&out[0], &out[3 * c.head_dim], c.head_dim * sizeof(float)) == 0);
    CHECK(std::memcmp(&out[0], &out[4 * c.head_dim], c.head_dim * sizeof(float)) != 0);
}

TEST_CASE("attention over a head range equals the same heads of the full attention", "[kernels][attention]") {
    const Case c;
    ThreadPool pool(2);
    std::vector<float> full(c.q.size());
    std::vector<float> scratch(attention_scratch_floats(c.n_heads, c.n_positions));
    attention(c.q.data(), c.cache(), AttentionHeads::all(c.n_heads, c.n_kv_heads, c.head_dim), full.data(),
              scratch.data(), pool);
    // Heads [3, 6) read kv heads 0 and 1; the chip's cache holds just those, with padding.
    const AttentionHeads part{c.n_heads, c.n_kv_heads, c.head_dim, 3, 3};
    REQUIRE(part.first_kv_head() == 0);
    REQUIRE(part.kv_head_count() == 2);
    const std::int64_t stride = part.kv_head_count() * c.head_dim + 5;
    std::vector<float> keys(static_cast<std::size_t>(c.n_positions * stride), NAN);
    std::vector<float> values(keys.size(), NAN);
    for (std::int64_t t = 0; t < c.n_positions; ++t) {
        const auto source = static_cast<std::size_t>(t * c.n_kv_heads * c.head_dim);
        std::memcpy(&keys[static_cast<std::size_t>(t * stride)], &c.keys[source], 2 * c.head_dim * sizeof(float));
        std::memcpy(&values[static_cast<std::size_t>(t * stride)], &c.values[source], 2 * c.head_dim * sizeof(float));
    }
    std::vector<float> local(3 * static_cast<std::size_t>(c.head_dim));
    std::vector<float> local_scratch(attention_scratch_floats(3, c.n_positions));
    attention(&c.q[3 * static_cast<std::size_t>(c.head_dim)], KvCacheView{keys.data(), values.data(), stride, c.n_positions},
              part, local.data(), local_scratch.data(), pool);
    CHECK(std::memcmp(local.data(), &full[3 * static_cast<std::size_t>(c.head_dim)], local.size() * sizeof(float)) == 0);

    // A range starting in the second kv group sees kv head 1 as its first.
    const AttentionHeads tail{c.n_heads, c.n_kv_heads, c.head_dim, 4, 4};
    CHECK(tail.first_kv_head() == 1);
    CHECK(tail.kv_head_count() == 1);
}

TEST_CASE("attention is bitwise independent of the thread count", "[kernels][attention]") {
    const Case c;
    ThreadPool one(1), three(3);
    const auto heads = AttentionHeads::all(c.n_heads, c.n_kv_heads, c.head_dim);
    std::vector<float> a(c.q.size()), b(c.q.size());
    std::vector<float> scratch(attention_scratch_floats(c.n_heads, c.n_positions));
    attention(c.q.data(), c.cache(), heads, a.data(), scratch.data(), one);
    attention(c.q.data(), c.cache(), heads, b.data(), scratch.data(), three);
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

TEST_CASE("attention rejects inconsistent layouts", "[kernels][attention]") {
    const Case c;
    ThreadPool pool(1);
    std::vector<float> out(c.q.size()), scratch(attention_scratch_floats(c.n_heads, c.n_positions));
    const auto run = [&](AttentionHeads heads, KvCacheView cache) {
        attention(c.q.data(), cache, heads, out.data(), scratch.data(), pool);
    };
    CHECK_THROWS_WITH(run({8, 3, 16, 0, 8}, c.cache()), Catch::Contains("n_kv_heads must divide n_heads"));
    CHECK_THROWS_WITH(run({8, 2, 16, 6, 4}, c.cache()), Catch::Contains("head range"));
    CHECK_THROWS_WITH(run(AttentionHeads::all(8, 2, 16), KvCacheView{c.keys.data(), c.values.data(), 16, 13}),
                      Catch::Contains("position_stride_floats 16"));
    CHECK_THROWS_WITH(run(AttentionHeads::all(8, 2, 16), KvCacheView{c.keys.data(), c.values.data(), 32, 0}),
                      Catch::Contains("n_positions 0"));
    CHECK_THROWS_AS(run(AttentionHeads::all(8, 0, 16), c.cache()), lpu::Error);
}
