#include "runtime/compiler/weight_binding.hpp"

#include <cstdio>
#include <iterator>

#include "base/error.hpp"

namespace lpu::compiler {

std::int64_t WeightBinding::bytes() const {
    return stacked * static_cast<std::int64_t>(kernels::dtype_bytes(dtype, static_cast<std::size_t>(rows() * cols())));
}

std::vector<const char*> layer_tensor_names(const model::ModelConfig& config) {
    std::vector<const char*> names(std::begin(kDenseLayerTensors), std::end(kDenseLayerTensors));
    if (config.is_mixture_of_experts()) {
        names.resize(names.size() - 3);  // the dense FFN's w_gate, w_up, w_down
        names.insert(names.end(), {kRouter, kExpertGate, kExpertUp, kExpertDown});
    }
    if (config.qkv_bias) names.insert(names.end(), std::begin(kBiasTensors), std::end(kBiasTensors));
    return names;
}

std::string layer_weight_name(int layer, const char* tensor) {
    return "layer." + std::to_string(layer) + "." + tensor;
}

IndexRange to_range(const plan::IndexRange& range) { return {range.first, range.last}; }

plan::IndexRange to_plan_range(const IndexRange& range) {
    return {static_cast<std::uint32_t>(range.begin), static_cast<std::uint32_t>(range.end)};
}

namespace {

// The matrix role of a layer tensor name (an expert's FFN matrices have their dense twin's type).
model::WeightTensor matrix_role(const std::string& tensor) {
    using model::WeightTensor;
    if (tensor == "wq") return WeightTensor::wq;
    if (tensor == "wk") return WeightTensor::wk;
    if (tensor == "wv") return WeightTensor::wv;
    if (tensor == "wo") return WeightTensor::wo;
    if (tensor == "w_gate" || tensor == kExpertGate) return WeightTensor::w_gate;
    if (tensor == "w_up" || tensor == kExpertUp) return WeightTensor::w_up;
    return WeightTensor::w_down;
}

WeightBinding layer_binding(const std::string& name, int layer, const std::string& tensor, const plan::ChipRole& role,
                            const model::ModelConfig& config) {
    const std::int64_t head_dim = config.head_dim(), dim = config.dim, kv_dim = config.kv_dim();
    const std::int64_t hidden_dim = config.hidden_dim;
    const IndexRange query{role.heads.first * head_dim, role.heads.last * head_dim};
    const IndexRange kv{role.kv_heads.first * head_dim, role.kv_heads.last * head_dim};
    const IndexRange hidden = to_range(role.hidden_columns);
    const auto matrix = [&](std::int64_t rows, std::int64_t cols, SliceKind slice, IndexRange range) {
        return WeightBinding{layer, tensor, config.dtype_of(matrix_role(tensor), layer), rows, cols, slice, range};
    };
    if (tensor == "attn_norm" || tensor == "ffn_norm") {
        return WeightBinding{layer, tensor, kernels::DType::F32, 1, dim, SliceKind::whole, {}};
    }
    // Biases are [features x 1] columns, so that a rank takes the rows of its heads.
    if (config.qkv_bias && tensor == "bq") return WeightBinding{layer, tensor, kernels::DType::F32, dim, 1, SliceKind::rows, query};
    if (config.qkv_bias && (tensor == "bk" || tensor == "bv")) {
        return WeightBinding{layer, tensor, kernels::DType::F32, kv_dim, 1, SliceKind::rows, kv};
    }
    if (tensor == "wq") return matrix(dim, dim, SliceKind::rows, query);
    if (tensor == "wk" || tensor == "wv") return matrix(kv_dim, dim, SliceKind::rows, kv);
    if (tensor == "wo") return matrix(dim, dim, SliceKind::columns, query);
    if (tensor == "w_gate" || tensor == "w_up") return matrix(hidden_dim, dim, SliceKind::rows, hidden);
    if (tensor == "w_down") return matrix(dim, hidden_dim, SliceKind::columns, hidden);
    if (config.is_mixture_of_experts()) {
        // Every TP rank routes for itself (the router is small), and holds its
        // hidden units of every expert, sliced like the dense FFN.
        if (tensor == kRouter) {
            return WeightBinding{layer, tensor, kernels::DType::F32, config.experts, dim, SliceKind::whole, {}};
        }
        const auto expert = [&](WeightBinding binding) {
            binding.stacked = config.experts;
            return binding;
        };
        if (tensor == kExpertGate || tensor == kExpertUp) return expert(matrix(hidden_dim, dim, SliceKind::rows, hidden));
        if (tensor == kExpertDown) return expert(matrix(dim, hidden_dim, SliceKind::columns, hidden));
    }
    throw Error("weight buffer '" + name + "': a layer has no tensor '" + tensor + "'");
}

}  // namespace

WeightBinding bind_weight(const std::string& name, const plan::ChipRole& role, const model::ModelConfig& config) {
    const IndexRange vocab = to_range(role.vocab);
    if (name == kTokenEmbedding || name == kOutput) {
        const auto role = name == kOutput ? model::WeightTensor::output : model::WeightTensor::token_embedding;
        return {-1, name, config.dtype_of(role), config.vocab_size, config.dim, SliceKind::rows, vocab};
    }
    if (name == kFinalNorm) return {-1, name, kernels::DType::F32, 1, config.dim, SliceKind::whole, {}};
    if (name == kRopeFreqs && config.rope_freq_factors) {
        return {-1, name, kernels::DType::F32, 1, config.head_dim() / 2, SliceKind::whole, {}};
    }
    int layer = -1, consumed = 0;
    if (std::sscanf(name.c_str(), "layer.%d.%n", &layer, &consumed) == 1 && consumed > 0 && layer >= 0 &&
        layer < config.n_layers) {
        return layer_binding(name, layer, name.substr(static_cast<std::size_t>(consumed)), role, config);
    }
    throw Error("buffer '" + name + "' names no weight of model '" + config.name + "'");
}

const model::TensorView& bound_tensor(const WeightBinding& binding, const model::ModelWeights& weights) {
    if (binding.layer < 0) {
        if (binding.tensor == kTokenEmbedding) return weights.token_embedding;
        if (binding.tensor == kOutput) return weights.output;
        if (binding.tensor == kRopeFreqs) return weights.rope_freqs;
        return weights.final_norm;
    }
    require(static_cast<std::size_t>(binding.layer) < weights.layers.size(),
            "the model file has no layer " + std::to_string(binding.layer));
    const auto& layer = weights.layers[static_cast<std::size_t>(binding.layer)];
    const std::string& t = binding.tensor;
    if (t == "attn_norm") return layer.attn_norm;
    if (t == "ffn_norm") return layer.ffn_norm;
    if (t == "wq") return layer.wq;
    if (t == "wk") return layer.wk;
    if (t == "wv") return layer.wv;
    if (t == "wo") return layer.wo;
    if (t == "w_gate") return layer.w_gate;
    if (t == "w_up") return layer.w_up;
    if (t == "bq") return layer.bq;
    if (t == "bk") return layer.bk;
    if (t == "bv") return layer.bv;
    if (t == kRouter) return layer.router;
    if (t == kExpertGate) return layer.experts_gate;
    if (t == kExpertUp) return layer.experts_up;
    if (t == kExpertDown) return layer.experts_down;
    return layer.w_down;
}

}  // namespace lpu::compiler
