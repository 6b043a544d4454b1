#include "runtime/engine/single_chip_model.hpp"

#include <algorithm>
#include <cstring>

#include "base/error.hpp"
#include "base/log.hpp"
#include "runtime/chip/precision.hpp"
#include "runtime/chip/sram_fit.hpp"
#include "runtime/compiler/shard_cost.hpp"
#include "runtime/engine/executable_model.hpp"
#include "runtime/kernels/activation.hpp"
#include "runtime/kernels/attention.hpp"
#include "runtime/kernels/expert_routing.hpp"
#include "runtime/kernels/matvec.hpp"
#include "runtime/kernels/norm.hpp"
#include "runtime/kernels/quantize.hpp"
#include "runtime/kernels/rope.hpp"

namespace lpu::engine {
namespace {

using kernels::DType;

std::int64_t float_bytes(std::int64_t count) { return count * static_cast<std::int64_t>(sizeof(float)); }

// Activation buffers of one forward pass, in floats: x, normed, q, k, v,
// attention output, projected, gate, up, logits, the attention scratch, and a
// mixture of experts' router logits and summed expert outputs.
std::int64_t activation_floats(const model::ModelConfig& config, int positions) {
    const std::int64_t experts = config.is_mixture_of_experts() ? config.experts + std::int64_t{config.dim} : 0;
    return 4 * std::int64_t{config.dim} + 2 * std::int64_t{config.kv_dim()} + std::int64_t{config.dim} +
           2 * std::int64_t{config.hidden_dim} + config.vocab_size +
           static_cast<std::int64_t>(kernels::attention_scratch_floats(config.n_heads, positions)) + experts;
}

}  // namespace

std::int64_t SingleChipModel::sram_bytes_needed(const model::ModelConfig& config, int positions) {
    using model::WeightTensor;
    const std::int64_t dim = config.dim, kv = config.kv_dim(), hidden = config.hidden_dim;
    const auto matrix = [&](WeightTensor tensor, int layer, std::int64_t rows, std::int64_t cols) {
        return static_cast<std::int64_t>(
            kernels::dtype_bytes(config.dtype_of(tensor, layer), static_cast<std::size_t>(rows * cols)));
    };
    const std::int64_t biases = config.qkv_bias ? float_bytes(dim + 2 * kv) : 0;
    std::int64_t total = float_bytes(dim) + matrix(WeightTensor::token_embedding, -1, config.vocab_size, dim);
    if (!config.tied_output) total += matrix(WeightTensor::output, -1, config.vocab_size, dim);
    if (config.rope_freq_factors) total += float_bytes(config.head_dim() / 2);
    // A mixture of experts holds every expert (stacked) and an F32 router.
    const std::int64_t experts = config.experts;
    const std::int64_t router = config.is_mixture_of_experts() ? float_bytes(experts * dim) : 0;
    for (int l = 0; l < config.n_layers; ++l) {
        total += float_bytes(2 * dim) + matrix(WeightTensor::wq, l, dim, dim) + matrix(WeightTensor::wk, l, kv, dim) +
                 matrix(WeightTensor::wv, l, kv, dim) + matrix(WeightTensor::wo, l, dim, dim) +
                 matrix(WeightTensor::w_gate, l, experts * hidden, dim) + matrix(WeightTensor::w_up, l, experts * hidden, dim) +
                 matrix(WeightTensor::w_down, l, experts * dim, hidden) + router + float_bytes(2 * positions * kv) + biases;
    }
    return total + float_bytes(activation_floats(config, positions));
}

SingleChipModel::SingleChipModel(const model::ModelFile& file, const sim::ChipSpec& spec, int positions,
                                 kernels::ThreadPool& pool)
    : config_(file.config()),
      positions_(positions == 0 ? file.config().context_length : positions),
      pool_(pool),
      chip_(0, spec) {
    require_executable(config_);
    require(positions_ > 0 && positions_ <= config_.context_length,
            "--context must be between 1 and the model's " + std::to_string(config_.context_length) +
                " positions (got " + std::to_string(positions_) + ")");
    chip::require_fit(sram_bytes_needed(config_, positions_), spec, 1,
                      "model '" + config_.name + "' with a " + std::to_string(positions_) + "-position KV cache");

    const auto& weights = file.weights();
    token_embedding_ = load_matrix(weights.token_embedding);
    output_ = config_.tied_output ? token_embedding_ : load_matrix(weights.output);
    final_norm_ = load_vector(weights.final_norm);
    if (config_.rope_freq_factors) rope_freqs_ = load_vector(weights.rope_freqs);
    for (int index = 0; index < config_.n_layers; ++index) {
        const auto& source = weights.layers[static_cast<std::size_t>(index)];
        Layer layer;
        layer.attn_norm = load_vector(source.attn_norm);
        layer.wq = load_matrix(source.wq);
        layer.wk = load_matrix(source.wk);
        layer.wv = load_matrix(source.wv);
        layer.wo = load_matrix(source.wo);
        layer.ffn_norm = load_vector(source.ffn_norm);
        if (config_.is_mixture_of_experts()) {
            layer.router = load_matrix(source.router);
            layer.expert_gate = load_experts(source.experts_gate);
            layer.expert_up = load_experts(source.experts_up);
            layer.expert_down = load_experts(source.experts_down);
        } else {
            layer.w_gate = load_matrix(source.w_gate);
            layer.w_up = load_matrix(source.w_up);
            layer.w_down = load_matrix(source.w_down);
        }
        if (config_.qkv_bias) {
            layer.bq = load_vector(source.bq);
            layer.bk = load_vector(source.bk);
            layer.bv = load_vector(source.bv);
        }
        const std::int64_t cache_floats = std::int64_t{positions_} * config_.kv_dim();
        const std::string prefix = "layer " + std::to_string(index);
        layer.key_cache = allocate_floats(cache_floats, chip::SramUse::KvCache, prefix + " keys");
        layer.value_cache = allocate_floats(cache_floats, chip::SramUse::KvCache, prefix + " values");
        layers_.push_back(layer);
    }

    const auto activation = [&](std::int64_t count, const char* label) {
        return allocate_floats(count, chip::SramUse::Activations, label);
    };
    x_ = activation(config_.dim, "residual");
    normed_ = activation(config_.dim, "normed");
    q_ = activation(config_.dim, "query");
    k_ = activation(config_.kv_dim(), "key");
    v_ = activation(config_.kv_dim(), "value");
    attention_out_ = activation(config_.dim, "attention output");
    projected_ = activation(config_.dim, "projection");
    gate_ = activation(config_.hidden_dim, "ffn gate");
    up_ = activation(config_.hidden_dim, "ffn up");
    logits_ = activation(config_.vocab_size, "logits");
    scratch_ = activation(static_cast<std::int64_t>(kernels::attention_scratch_floats(config_.n_heads, positions_)),
                          "attention scores");
    if (config_.is_mixture_of_experts()) {
        router_logits_ = activation(config_.experts, "router logits");
        experts_out_ = activation(config_.dim, "experts' output");
    }
    log::get("engine")->info("model '{}' loaded on one chip: {} of {} SRAM bytes used", config_.name,
                             chip_.sram().used_bytes(), chip_.sram().capacity_bytes());
}

std::span<float> SingleChipModel::allocate_floats(std::int64_t count, chip::SramUse use, const std::string& label) {
    auto bytes = chip_.sram().allocate(float_bytes(count), use, label);
    return {reinterpret_cast<float*>(bytes.data()), static_cast<std::size_t>(count)};
}

kernels::Matrix SingleChipModel::load_matrix(const model::TensorView& tensor) {
    auto bytes = chip_.sram().allocate(static_cast<std::int64_t>(tensor.size_bytes()), chip::SramUse::Weights, tensor.name);
    std::memcpy(bytes.data(), tensor.data, tensor.size_bytes());
    return {tensor.dtype, tensor.rows, tensor.cols, bytes.data()};
}

std::vector<kernels::Matrix> SingleChipModel::load_experts(const model::TensorView& stacked) {
    const kernels::Matrix all = load_matrix(stacked);
    const std::int64_t rows = all.rows / config_.experts;
    const std::size_t bytes = kernels::dtype_bytes(all.dtype, static_cast<std::size_t>(rows * all.cols));
    std::vector<kernels::Matrix> experts;
    for (int e = 0; e < config_.experts; ++e) {
        experts.push_back({all.dtype, rows, all.cols, all.data + static_cast<std::size_t>(e) * bytes});
    }
    return experts;
}

std::span<const float> SingleChipModel::load_vector(const model::TensorView& tensor) {
    require(tensor.dtype == DType::F32, "tensor '" + tensor.name + "' must be F32 (norm weights), not " +
                                            kernels::dtype_name(tensor.dtype));
    auto floats = allocate_floats(tensor.elements(), chip::SramUse::Weights, tensor.name);
    std::memcpy(floats.data(), tensor.data, tensor.size_bytes());
    return floats;
}

void SingleChipModel::charge_matvec(const kernels::Matrix& matrix) {
    chip_.charge(chip::OpKind::Matmul, chip_.cost().matmul_cycles(chip::weight_product(matrix.dtype, matrix.rows, matrix.cols)));
}

void SingleChipModel::charge_vector(sim::VectorOp op, std::int64_t elements) {
    chip_.charge(chip::OpKind::Vector, chip_.cost().vector_op_cycles(op, elements));
}

void SingleChipModel::add_bias(std::span<float> values, std::span<const float> bias) {
    for (std::size_t i = 0; i < values.size(); ++i) values[i] += bias[i];
}

kernels::RopeParams SingleChipModel::rope_params() const {
    return {config_.rope_theta, config_.rope_freq_scale, config_.rope_pairing,
            rope_freqs_.empty() ? nullptr : rope_freqs_.data()};
}

std::span<float> SingleChipModel::forward(int token, int position) {
    require(token >= 0 && token < config_.vocab_size, "token id " + std::to_string(token) + " out of range");
    require(position >= 0 && position < positions_,
            "position " + std::to_string(position) + " beyond the " + std::to_string(positions_) + "-position KV cache");
    chip_.reset_step();

    kernels::dequantize_row(token_embedding_, token, x_.data());
    charge_vector(sim::VectorOp::Multiply, config_.dim);  // dequantise the embedding row
    for (std::size_t index = 0; index < layers_.size(); ++index) {
        auto& layer = layers_[index];
        attention_block(layer, position);
        if (config_.is_mixture_of_experts()) {
            mixture_of_experts_block(layer, static_cast<int>(index));
        } else {
            feed_forward_block(layer);
        }
    }
    kernels::rmsnorm(x_.data(), x_.data(), final_norm_.data(), config_.dim, config_.rms_norm_eps);
    charge_vector(sim::VectorOp::RmsNorm, config_.dim);
    kernels::matvec(output_, x_.data(), logits_.data(), pool_);
    charge_matvec(output_);

    last_forward_cycles_ = chip_.step_cycles();
    return logits_;
}

void SingleChipModel::attention_block(Layer& layer, int position) {
    const int dim = config_.dim, kv_dim = config_.kv_dim(), head_dim = config_.head_dim();
    kernels::rmsnorm(normed_.data(), x_.data(), layer.attn_norm.data(), dim, config_.rms_norm_eps);
    charge_vector(sim::VectorOp::RmsNorm, dim);

    kernels::matvec(layer.wq, normed_.data(), q_.data(), pool_);
    kernels::matvec(layer.wk, normed_.data(), k_.data(), pool_);
    kernels::matvec(layer.wv, normed_.data(), v_.data(), pool_);
    charge_matvec(layer.wq);
    charge_matvec(layer.wk);
    charge_matvec(layer.wv);
    if (config_.qkv_bias) {
        add_bias(q_, layer.bq);
        add_bias(k_, layer.bk);
        add_bias(v_, layer.bv);
        chip_.charge(chip::OpKind::Vector, compiler::qkv_bias_cycles(config_, chip_.cost(), dim, kv_dim));
    }

    kernels::rope(q_.data(), config_.n_heads, head_dim, position, rope_params());
    kernels::rope(k_.data(), config_.n_kv_heads, head_dim, position, rope_params());
    chip_.charge(chip::OpKind::Vector, compiler::rope_cycles(config_, chip_.cost(), dim + kv_dim));

    const std::size_t row = static_cast<std::size_t>(position) * static_cast<std::size_t>(kv_dim);
    std::copy(k_.begin(), k_.end(), layer.key_cache.begin() + static_cast<std::ptrdiff_t>(row));
    std::copy(v_.begin(), v_.end(), layer.value_cache.begin() + static_cast<std::ptrdiff_t>(row));
    chip_.charge(chip::OpKind::Vector, chip_.cost().sram_copy_cycles(float_bytes(2 * kv_dim)));

    const kernels::KvCacheView cache{layer.key_cache.data(), layer.value_cache.data(), kv_dim, position + 1};
    kernels::attention(q_.data(), cache, kernels::AttentionHeads::all(config_.n_heads, config_.n_kv_heads, head_dim),
                       attention_out_.data(), scratch_.data(), pool_);
    chip_.charge(chip::OpKind::Attention,
                 chip_.cost().attention_cycles({config_.n_heads, config_.n_kv_heads, head_dim, position + 1,
                                                sim::Precision::Fp32}));

    kernels::matvec(layer.wo, attention_out_.data(), projected_.data(), pool_);
    charge_matvec(layer.wo);
    for (int i = 0; i < dim; ++i) x_[static_cast<std::size_t>(i)] += projected_[static_cast<std::size_t>(i)];
    charge_vector(sim::VectorOp::Add, dim);
}

void SingleChipModel::feed_forward_block(const Layer& layer) {
    const int dim = config_.dim;
    kernels::rmsnorm(normed_.data(), x_.data(), layer.ffn_norm.data(), dim, config_.rms_norm_eps);
    charge_vector(sim::VectorOp::RmsNorm, dim);
    swiglu_ffn(layer.w_gate, layer.w_up, layer.w_down);
    for (int i = 0; i < dim; ++i) x_[static_cast<std::size_t>(i)] += projected_[static_cast<std::size_t>(i)];
    charge_vector(sim::VectorOp::Add, dim);
}

void SingleChipModel::mixture_of_experts_block(const Layer& layer, int index) {
    const int dim = config_.dim;
    kernels::rmsnorm(normed_.data(), x_.data(), layer.ffn_norm.data(), dim, config_.rms_norm_eps);
    charge_vector(sim::VectorOp::RmsNorm, dim);
    kernels::matvec(layer.router, normed_.data(), router_logits_.data(), pool_);
    charge_matvec(layer.router);
    const auto chosen = kernels::route_token(router_logits_, config_.active_experts);
    count_route(expert_load_, index, config_.experts, chosen);
    charge_vector(sim::VectorOp::Softmax, config_.experts);
    std::fill(experts_out_.begin(), experts_out_.end(), 0.0f);
    for (const kernels::ExpertChoice& choice : chosen) {
        const auto e = static_cast<std::size_t>(choice.expert);
        swiglu_ffn(layer.expert_gate[e], layer.expert_up[e], layer.expert_down[e]);
        for (int i = 0; i < dim; ++i) {
            experts_out_[static_cast<std::size_t>(i)] += choice.weight * projected_[static_cast<std::size_t>(i)];
        }
        charge_vector(sim::VectorOp::Multiply, dim);
        charge_vector(sim::VectorOp::Add, dim);
    }
    for (int i = 0; i < dim; ++i) x_[static_cast<std::size_t>(i)] += experts_out_[static_cast<std::size_t>(i)];
    charge_vector(sim::VectorOp::Add, dim);
}

void SingleChipModel::swiglu_ffn(const kernels::Matrix& w_gate, const kernels::Matrix& w_up,
                                 const kernels::Matrix& w_down) {
    const int hidden = config_.hidden_dim;
    kernels::matvec(w_gate, normed_.data(), gate_.data(), pool_);
    kernels::matvec(w_up, normed_.data(), up_.data(), pool_);
    charge_matvec(w_gate);
    charge_matvec(w_up);
    kernels::swiglu(gate_.data(), up_.data(), hidden);
    charge_vector(sim::VectorOp::Silu, hidden);
    charge_vector(sim::VectorOp::Multiply, hidden);
    kernels::matvec(w_down, gate_.data(), projected_.data(), pool_);
    charge_matvec(w_down);
}

}  // namespace lpu::engine
