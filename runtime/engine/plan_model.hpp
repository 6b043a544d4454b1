#pragma once
// A model partitioned by a compiled plan over many emulated chips, run in this
// process: each chip a ChipRunner holding only its shard, all driven by one
// host thread in turn (each runs until it waits for a message), exchanging only
// through the Transport. The generation loop sees one LanguageModel: the same
// tokens as one chip, and the emulated latency of each step from the plan
// (retimed for its position, plan/retime.hpp).
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "collectives/transport.hpp"
#include "plan/plan.hpp"
#include "plan/retime.hpp"
#include "runtime/engine/chip_runner.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/kernels/thread_pool.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip_spec.hpp"

namespace lpu::engine {

class PlanModel : public LanguageModel {
public:
    // The plan must be validated and fingerprint-checked by the caller; `file`,
    // `transport` and `pool` must outlive this object. Runs every chip of the plan.
    PlanModel(plan::Plan plan, const model::ModelFile& file, const sim::ChipSpec& spec,
              collectives::Transport& transport, kernels::ThreadPool& pool = kernels::default_thread_pool());

    const model::ModelConfig& config() const override { return config_; }
    int max_positions() const override { return static_cast<int>(plan_.context_positions); }
    std::span<float> forward(int token, int position) override;
    std::int64_t last_forward_cycles() const override { return last_timing_.latency_cycles; }
    double clock_hz() const override { return clock_hz_; }
    int batch_size() const override { return static_cast<int>(plan_.grid.batch); }
    std::vector<std::span<float>> forward_batch(std::span<const int> tokens, int position) override;
    std::int64_t last_step_period_cycles() const override { return last_timing_.period_cycles; }

    const plan::Plan& plan() const { return plan_; }
    const std::vector<std::unique_ptr<ChipRunner>>& chips() const { return runners_; }

    // The plan's step at `position` (memoised: the same for every step there).
    struct StepCycles {
        std::int64_t latency_cycles = 0;  // from the first op to the last
        std::int64_t period_cycles = 0;   // between back-to-back steps (step_period.hpp)
    };
    const StepCycles& step_cycles(int position);

private:
    plan::Plan plan_;
    plan::Retimer retimer_;
    model::ModelConfig config_;
    double clock_hz_;
    collectives::Transport& transport_;
    std::vector<std::unique_ptr<ChipRunner>> runners_;
    std::size_t head_ = 0;                // the chip whose logits buffers hold the whole vocabulary
    std::vector<plan::BufferId> logits_;  // per sequence, on the head chip
    std::map<int, StepCycles> step_cycles_;
    StepCycles last_timing_;
};

}  // namespace lpu::engine
