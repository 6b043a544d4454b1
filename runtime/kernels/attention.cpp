#include "runtime/kernels/attention.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/error.hpp"
#include "runtime/kernels/activation.hpp"
#include "runtime/kernels/dot.hpp"

namespace lpu::kernels {

namespace {

void validate(const KvCacheView& cache, const AttentionHeads& heads) {
    const std::string layout = "attention: n_heads " + std::to_string(heads.n_heads) + ", n_kv_heads " +
                               std::to_string(heads.n_kv_heads) + ", head_dim " + std::to_string(heads.head_dim) +
                               ", heads [" + std::to_string(heads.first_head) + ", +" +
                               std::to_string(heads.head_count) + ")";
    require(heads.n_heads > 0 && heads.n_kv_heads > 0 && heads.head_dim > 0, layout + ": sizes must be positive");
    require(heads.n_heads % heads.n_kv_heads == 0, layout + ": n_kv_heads must divide n_heads");
    require(heads.first_head >= 0 && heads.head_count > 0 && heads.first_head + heads.head_count <= heads.n_heads,
            layout + ": head range is not inside [0, n_heads)");
    require(cache.keys != nullptr && cache.values != nullptr, layout + ": the KV cache has no data");
    require(cache.n_positions >= 1, layout + ": n_positions " + std::to_string(cache.n_positions) + " must be >= 1");
    require(cache.position_stride_floats >= static_cast<std::int64_t>(heads.kv_head_count()) * heads.head_dim,
            layout + ": position_stride_floats " + std::to_string(cache.position_stride_floats) +
                " is smaller than the " + std::to_string(heads.kv_head_count()) + " kv heads it must hold");
}

}  // namespace

std::size_t attention_scratch_floats(int head_count, std::int64_t n_positions) {
    return static_cast<std::size_t>(head_count) * static_cast<std::size_t>(n_positions);
}

void attention(const float* q, const KvCacheView& cache, const AttentionHeads& heads, float* out, float* scratch,
               ThreadPool& pool) {
    validate(cache, heads);
    const std::int64_t head_dim = heads.head_dim;
    const float sqrt_dim = std::sqrt(static_cast<float>(head_dim));  // llama2.c divides by it
    const RowDot dot = dot_kernels().f32;
    pool.parallel_for(heads.head_count, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t local = begin; local < end; ++local) {
            const std::int64_t kv_offset =
                ((heads.first_head + local) / heads.group_size() - heads.first_kv_head()) * head_dim;
            const float* q_head = q + local * head_dim;
            float* scores = scratch + local * cache.n_positions;
            for (std::int64_t t = 0; t < cache.n_positions; ++t) {
                const float* key = cache.keys + t * cache.position_stride_floats + kv_offset;
                scores[t] = dot(reinterpret_cast<const std::byte*>(key), q_head, head_dim) / sqrt_dim;
            }
            softmax(scores, cache.n_positions);
            float* out_head = out + local * head_dim;
            for (std::int64_t i = 0; i < head_dim; ++i) out_head[i] = 0.0f;
            for (std::int64_t t = 0; t < cache.n_positions; ++t) {
                const float* value = cache.values + t * cache.position_stride_floats + kv_offset;
                const float weight = scores[t];
                for (std::int64_t i = 0; i < head_dim; ++i) out_head[i] += weight * value[i];
            }
        }
    }, kMinParallelFloats / std::max<std::int64_t>(1, 2 * cache.n_positions * head_dim) + 1);
}

}  // namespace lpu::kernels
