#include "runtime/model/model_weights.hpp"

namespace lpu::model {

std::vector<const TensorView*> tensor_list(const ModelWeights& weights) {
    std::vector<const TensorView*> list{&weights.token_embedding};
    for (const auto& layer : weights.layers) {
        for (const TensorView* view : {&layer.attn_norm, &layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.ffn_norm,
                                       &layer.w_gate, &layer.w_down, &layer.w_up, &layer.bq, &layer.bk, &layer.bv}) {
            if (view->present()) list.push_back(view);
        }
    }
    list.push_back(&weights.final_norm);
    if (weights.output.data != weights.token_embedding.data) list.push_back(&weights.output);
    if (weights.rope_freqs.present()) list.push_back(&weights.rope_freqs);
    return list;
}

}  // namespace lpu::model
