#pragma once
// A Llama-family model executing on ONE emulated LPU: its weights, KV cache and
// activations live in the chip's SRAM arena, every op runs with real numbers on
// the host and is charged the cycles the chip's cost model gives it.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/chip/emulated_chip.hpp"
#include "runtime/engine/expert_load.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/kernels/matrix.hpp"
#include "runtime/kernels/thread_pool.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/chip/cost_model.hpp"

namespace lpu::engine {

class SingleChipModel : public LanguageModel {
public:
    // Copies the model into the chip's SRAM, with a KV cache for `positions`
    // positions (0 = the model's context length). Refuses a model that does not
    // fit, naming the bytes missing and the minimum number of chips.
    SingleChipModel(const model::ModelFile& file, const sim::ChipSpec& spec, int positions,
                    kernels::ThreadPool& pool = kernels::default_thread_pool());

    const model::ModelConfig& config() const override { return config_; }
    int max_positions() const override { return positions_; }
    std::span<float> forward(int token, int position) override;
    std::int64_t last_forward_cycles() const override { return last_forward_cycles_; }
    double clock_hz() const override { return chip_.spec().clock_hz; }

    const chip::EmulatedChip& chip() const { return chip_; }
    // A mixture of experts: the tokens each expert of each layer saw so far.
    const ExpertLoad& expert_load() const { return expert_load_; }

    // SRAM bytes a model needs on one chip with a KV cache of `positions`.
    static std::int64_t sram_bytes_needed(const model::ModelConfig& config, int positions);

private:
    struct Layer {
        std::span<const float> attn_norm, ffn_norm;
        std::span<const float> bq, bk, bv;        // empty without q/k/v biases
        kernels::Matrix wq, wk, wv, wo, w_gate, w_up, w_down;
        // A mixture of experts' router and each expert's matrices (else empty).
        kernels::Matrix router;
        std::vector<kernels::Matrix> expert_gate, expert_up, expert_down;
        std::span<float> key_cache, value_cache;  // [positions x kv_dim]
    };

    std::span<float> allocate_floats(std::int64_t count, chip::SramUse use, const std::string& label);
    kernels::Matrix load_matrix(const model::TensorView& tensor);
    std::span<const float> load_vector(const model::TensorView& tensor);
    void charge_matvec(const kernels::Matrix& matrix);
    void charge_vector(sim::VectorOp op, std::int64_t elements);
    void add_bias(std::span<float> values, std::span<const float> bias);
    kernels::RopeParams rope_params() const;
    void attention_block(Layer& layer, int position);
    void feed_forward_block(const Layer& layer);
    void mixture_of_experts_block(const Layer& layer, int index);
    // The gate, up and down matrices on normed_ (SwiGLU), into projected_.
    void swiglu_ffn(const kernels::Matrix& w_gate, const kernels::Matrix& w_up, const kernels::Matrix& w_down);
    std::vector<kernels::Matrix> load_experts(const model::TensorView& stacked);

    model::ModelConfig config_;
    int positions_;
    kernels::ThreadPool& pool_;
    chip::EmulatedChip chip_;

    kernels::Matrix token_embedding_, output_;
    std::span<const float> final_norm_;
    std::span<const float> rope_freqs_;  // empty without Llama 3.1's frequency factors
    std::vector<Layer> layers_;

    // Activations, reused every position.
    std::span<float> x_, normed_, q_, k_, v_, attention_out_, projected_, gate_, up_, logits_, scratch_;
    std::span<float> router_logits_, experts_out_;  // a mixture of experts' (else empty)
    std::int64_t last_forward_cycles_ = 0;
    ExpertLoad expert_load_;
};

}  // namespace lpu::engine
