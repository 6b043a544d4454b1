#pragma once
// Multi-head (grouped-query) attention of ONE query position over a KV cache,
// parallel over heads. Query head h reads kv head h / (n_heads / n_kv_heads).
// Per head: score[t] = dot(q_h, k_t) / sqrt(head_dim) for every cached position
// t, softmax over t, out_h = sum_t score[t] * v_t (positions in order, floats).
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/thread_pool.hpp"

namespace lpu::kernels {

// Which heads run here. Tensor parallelism gives a chip the contiguous query
// heads [first_head, first_head + head_count) and the kv heads they read,
// [first_head / group, (first_head + head_count - 1) / group], group = n_heads / n_kv_heads.
struct AttentionHeads {
    int n_heads = 0;     // query heads in the whole model
    int n_kv_heads = 0;  // kv heads in the whole model (divides n_heads)
    int head_dim = 0;
    int first_head = 0;
    int head_count = 0;

    static AttentionHeads all(int n_heads, int n_kv_heads, int head_dim) {
        return {n_heads, n_kv_heads, head_dim, 0, n_heads};
    }
    int group_size() const { return n_heads / n_kv_heads; }
    int first_kv_head() const { return first_head / group_size(); }
    int kv_head_count() const { return (first_head + head_count - 1) / group_size() - first_kv_head() + 1; }
};

// The cached keys and values of this chip's kv heads: position t's kv heads
// start at keys + t * position_stride_floats (same for values), head after head.
struct KvCacheView {
    const float* keys = nullptr;
    const float* values = nullptr;
    std::int64_t position_stride_floats = 0;  // >= kv_head_count * head_dim
    std::int64_t n_positions = 0;             // valid positions, >= 1
};

// Floats of scratch attention() needs: one score per (local head, position).
std::size_t attention_scratch_floats(int head_count, std::int64_t n_positions);

// q and out hold the local heads only: head_count * head_dim floats, head
// first_head first. scratch has attention_scratch_floats(...) floats. Throws
// lpu::Error on an inconsistent head layout or cache view.
void attention(const float* q, const KvCacheView& cache, const AttentionHeads& heads, float* out, float* scratch,
               ThreadPool& pool);

}  // namespace lpu::kernels
