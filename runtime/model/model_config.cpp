#include "runtime/model/model_config.hpp"

#include <cmath>

#include "base/error.hpp"

namespace lpu::model {
namespace {

// Upper bounds well above any published Llama-family model (Llama 3.1 405B has
// dim 16384, hidden 53248, 126 layers, 128 heads, vocab 128256), low enough that
// products of them cannot overflow 64-bit byte counts.
constexpr int kMaxDim = 1 << 16;
constexpr int kMaxHiddenDim = 1 << 20;
constexpr int kMaxLayers = 1024;
constexpr int kMaxHeads = 1024;
constexpr int kMaxVocabSize = 1 << 22;
constexpr int kMaxContextLength = 1 << 24;
constexpr int kMaxExperts = 1024;  // published MoE models have 8 to 256

void require_in_range(int value, const char* field, int max_value) {
    require(value > 0, std::string("model config: ") + field + " is " + std::to_string(value) + ", must be positive");
    require(value <= max_value, std::string("model config: ") + field + " is " + std::to_string(value) +
                                    ", more than the supported maximum " + std::to_string(max_value));
}

}  // namespace

const char* architecture_name(Architecture architecture) {
    return architecture == Architecture::Qwen2 ? "qwen2" : "llama";
}

void validate(const ModelConfig& config) {
    require_in_range(config.dim, "dim", kMaxDim);
    require_in_range(config.hidden_dim, "hidden_dim", kMaxHiddenDim);
    require_in_range(config.n_layers, "n_layers", kMaxLayers);
    require_in_range(config.n_heads, "n_heads", kMaxHeads);
    require_in_range(config.n_kv_heads, "n_kv_heads", kMaxHeads);
    require_in_range(config.vocab_size, "vocab_size", kMaxVocabSize);
    require_in_range(config.context_length, "context_length", kMaxContextLength);
    require_in_range(config.experts, "experts", kMaxExperts);
    require_in_range(config.active_experts, "active_experts", kMaxExperts);
    require(config.active_experts <= config.experts, [&] {
        std::string message = "model config: active_experts ";
        return message.append(std::to_string(config.active_experts))
            .append(" exceeds experts ")
            .append(std::to_string(config.experts));
    });
    require(config.dim % config.n_heads == 0, "model config: dim " + std::to_string(config.dim) +
                                                  " is not divisible by n_heads " + std::to_string(config.n_heads));
    require(config.n_heads % config.n_kv_heads == 0, "model config: n_heads " + std::to_string(config.n_heads) +
                                                         " is not divisible by n_kv_heads " +
                                                         std::to_string(config.n_kv_heads));
    // RoPE rotates pairs of values within each head.
    require(config.head_dim() % 2 == 0,
            "model config: head size " + std::to_string(config.head_dim()) + " (dim / n_heads) must be even for RoPE");
    require(std::isfinite(config.rms_norm_eps) && config.rms_norm_eps > 0.0f && config.rms_norm_eps < 1.0f,
            "model config: rms_norm_eps " + std::to_string(config.rms_norm_eps) + " must be in (0, 1)");
    require(std::isfinite(config.rope_theta) && config.rope_theta > 0.0f,
            "model config: rope_theta " + std::to_string(config.rope_theta) + " must be positive and finite");
    require(std::isfinite(config.rope_freq_scale) && config.rope_freq_scale > 0.0f,
            "model config: rope_freq_scale " + std::to_string(config.rope_freq_scale) + " must be positive and finite");
    for (const WeightTypeOverride& entry : config.weight_type_overrides) {
        const bool global = entry.tensor == WeightTensor::token_embedding || entry.tensor == WeightTensor::output;
        require(global ? entry.layer == -1 : entry.layer >= 0 && entry.layer < config.n_layers, [&] {
            return "model config: a weight type override names layer " + std::to_string(entry.layer) + " of a " +
                   std::to_string(config.n_layers) + "-layer model";
        });
    }
}

std::string weight_types_text(const ModelConfig& config) {
    std::string text = kernels::dtype_name(config.weight_dtype);
    if (config.weight_type_overrides.empty()) return text;
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on " (+" + std::string.
    return text.append(" (+").append(std::to_string(config.weight_type_overrides.size())).append(" matrices of other types)");
}

kernels::DType ModelConfig::dtype_of(WeightTensor tensor, int layer) const {
    if (tensor == WeightTensor::output && tied_output) tensor = WeightTensor::token_embedding;
    for (const WeightTypeOverride& entry : weight_type_overrides) {
        if (entry.tensor == tensor && entry.layer == layer) return entry.dtype;
    }
    return weight_dtype;
}

}  // namespace lpu::model
