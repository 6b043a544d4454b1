#include "runtime/model/model_weights.hpp"

namespace lpu::model {

std::vector<const TensorView*> tensor_list(const ModelWeights& weights) {
    std::vector<const TensorView*> list{&weights.token_embedding};
    for (const auto& layer : weights.layers) {
        for (const TensorView* view : {&layer.attn_norm, &layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.ffn_norm,
                                       &layer.w_gate, &layer.w_down, &layer.w_up, &layer.bq, &layer.bk, &layer.bv,
                                       &layer.router, &layer.experts_gate, &layer.experts_down, &layer.experts_up}) {
            if (view->present()) list.push_back(view);
        }
    }
    list.push_back(&weights.final_norm);
    if (weights.output.data != weights.token_embedding.data) list.push_back(&weights.output);
    if (weights.rope_freqs.present()) list.push_back(&weights.rope_freqs);
    return list;
}

TensorView expert_matrix(const TensorView& stacked, int experts, int expert) {
    TensorView matrix = stacked;
    matrix.name = stacked.name + "[" + std::to_string(expert) + "]";
    matrix.rows = stacked.rows / experts;
    matrix.data = stacked.data + static_cast<std::ptrdiff_t>(expert) * static_cast<std::ptrdiff_t>(matrix.size_bytes());
    return matrix;
}

std::vector<WeightTypeOverride> weight_type_overrides(const ModelWeights& weights, kernels::DType base) {
    std::vector<WeightTypeOverride> overrides;
    const auto note = [&](WeightTensor tensor, int layer, const TensorView& view) {
        if (view.dtype != base) overrides.push_back({tensor, layer, view.dtype});
    };
    note(WeightTensor::token_embedding, -1, weights.token_embedding);
    for (std::size_t l = 0; l < weights.layers.size(); ++l) {
        const LayerWeights& layer = weights.layers[l];
        const int index = static_cast<int>(l);
        note(WeightTensor::wq, index, layer.wq);
        note(WeightTensor::wk, index, layer.wk);
        note(WeightTensor::wv, index, layer.wv);
        note(WeightTensor::wo, index, layer.wo);
        // A mixture of experts' stacked matrices stand for the dense ones.
        const bool moe = layer.experts_gate.present();
        note(WeightTensor::w_gate, index, moe ? layer.experts_gate : layer.w_gate);
        note(WeightTensor::w_up, index, moe ? layer.experts_up : layer.w_up);
        note(WeightTensor::w_down, index, moe ? layer.experts_down : layer.w_down);
    }
    if (weights.output.data != weights.token_embedding.data) note(WeightTensor::output, -1, weights.output);
    return overrides;
}

}  // namespace lpu::model
