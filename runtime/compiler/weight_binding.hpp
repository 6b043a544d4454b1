#pragma once
// Which part of which model tensor a weight buffer of a plan holds. The
// compiler names weight buffers ("layer.3.wq", "token_embedding", ...) and the
// runtime loads them by the same rule, so the rule lives in one place: the
// buffer's name picks the tensor, the chip's role picks the slice (see
// tensor_shard.hpp for why each tensor is cut by rows or by columns). Only the
// model's shape is needed, so plans compile without the weights.
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "runtime/compiler/index_range.hpp"
#include "runtime/kernels/dtype.hpp"
#include "runtime/model/model_config.hpp"
#include "runtime/model/model_weights.hpp"

namespace lpu::compiler {

enum class SliceKind : std::uint8_t { whole, rows, columns };

struct WeightBinding {
    int layer = -1;      // -1 for the embedding, final norm and LM head
    std::string tensor;  // "wq", "token_embedding", ... (see the names below)
    kernels::DType dtype = kernels::DType::F32;
    std::int64_t tensor_rows = 1, tensor_cols = 0;  // of the whole tensor
    SliceKind slice = SliceKind::whole;
    IndexRange range;  // rows or columns of the tensor; unused for whole
    // Matrices of this shape and slice held one after another: an MoE layer's
    // experts (each expert's slice of its FFN, all resident in SRAM), else 1.
    std::int64_t stacked = 1;

    // Of one matrix (one expert's slice): what one product multiplies.
    std::int64_t rows() const { return slice == SliceKind::rows ? range.size() : tensor_rows; }
    std::int64_t cols() const { return slice == SliceKind::columns ? range.size() : tensor_cols; }
    std::int64_t bytes() const;  // of all stacked matrices
};

inline constexpr const char* kTokenEmbedding = "token_embedding";
inline constexpr const char* kOutput = "output";
inline constexpr const char* kFinalNorm = "final_norm";
// Llama 3.1's RoPE frequency divisors (head_dim / 2 floats), on every chip with layers.
inline constexpr const char* kRopeFreqs = "rope_freqs";
// A layer's tensors, in the order the lowering allocates them: a dense layer's
// (kDenseLayerTensors), or for a mixture of experts the router (experts x dim,
// F32 as MoE checkpoints keep it) and every expert's w_gate/w_up/w_down stacked,
// in place of the dense FFN; then the q/k/v biases (F32, sliced like the rows
// of wq/wk/wv) when the model has them.
inline constexpr const char* kDenseLayerTensors[] = {"attn_norm", "wq", "wk", "wv", "wo", "ffn_norm", "w_gate", "w_up", "w_down"};
inline constexpr const char* kBiasTensors[] = {"bq", "bk", "bv"};
inline constexpr const char* kRouter = "router";
inline constexpr const char* kExpertGate = "experts.w_gate";
inline constexpr const char* kExpertUp = "experts.w_up";
inline constexpr const char* kExpertDown = "experts.w_down";
std::vector<const char*> layer_tensor_names(const model::ModelConfig& config);

// "layer.3.wq"
std::string layer_weight_name(int layer, const char* tensor);

// The binding of weight buffer `name` for a chip with `role`. Throws lpu::Error
// for a name that is no weight of the model (e.g. a layer outside the model).
WeightBinding bind_weight(const std::string& name, const plan::ChipRole& role, const model::ModelConfig& config);

// The tensor of the model file a binding reads (for stacked experts, the
// whole [experts * rows x cols] tensor, expert after expert).
const model::TensorView& bound_tensor(const WeightBinding& binding, const model::ModelWeights& weights);

// Ranges of a role in the compiler's index type, and back.
IndexRange to_range(const plan::IndexRange& range);
plan::IndexRange to_plan_range(const IndexRange& range);

}  // namespace lpu::compiler
