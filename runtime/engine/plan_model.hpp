#pragma once
// A model partitioned by a compiled plan over many emulated chips: each chip a
// ChipRunner holding only its shard, exchanging only through the Transport.
// The chips of this process run on the host pool's threads (chip_scheduler.hpp)
// when several of them can run at once and are large enough to be worth a
// thread each: then each chip's kernels run on the thread that runs the chip.
// Otherwise one thread runs them in turn (each until it waits for a message),
// its kernels using the whole pool. The generation loop sees one
// LanguageModel: the same tokens as one chip, bit for bit either way, and the
// emulated latency of each step as the chips kept it while they ran
// (ChipRunner): from the step's start to the end of the last chip's last
// instruction.
//
// Across processes (launch/ places the chips on ranks), each process runs its
// own chips; when none of them can go on it waits for the transport, and at
// the end of a step the logits travel from the process of the head chip to
// every process (a LogitsBroadcast), so every process samples the same token.
// A process sees only its own chips' times: it checks that they are the
// plan's timing at the step's position (plan/retime.hpp), which every process
// derives alike, and reports the plan's figures for the whole step.
#include <cstdint>
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
#include "sim/chip/chip_spec.hpp"

namespace lpu::engine {

// The port through which the logits reach every process of a multi-process
// run (declared here where it is used; launch/ implements it over MPI).
class LogitsBroadcast {
public:
    virtual ~LogitsBroadcast() = default;
    // `logits` holds the values in the process that has them and receives them in the others.
    virtual void broadcast(std::span<float> logits) = 0;
};

// Which chips of the plan this process runs; by default all of them.
struct LocalChips {
    std::vector<bool> local;               // by plan chip index; empty = all
    LogitsBroadcast* broadcast = nullptr;  // required when some chips are elsewhere
};

class PlanModel : public LanguageModel {
public:
    // The plan must be validated and fingerprint-checked by the caller; `file`,
    // `transport`, the broadcast and `pool` (the host's threads for this
    // process) must outlive this object.
    PlanModel(plan::Plan plan, const model::ModelFile& file, const sim::ChipSpec& spec,
              collectives::Transport& transport, LocalChips local = {},
              kernels::ThreadPool& pool = kernels::default_thread_pool());

    const model::ModelConfig& config() const override { return config_; }
    int max_positions() const override { return static_cast<int>(plan_.context_positions); }
    std::span<float> forward(int token, int position) override;
    std::int64_t last_forward_cycles() const override { return last_timing_.latency_cycles; }
    double clock_hz() const override { return clock_hz_; }
    int batch_size() const override { return static_cast<int>(plan_.grid.batch); }
    std::vector<std::span<float>> forward_batch(std::span<const int> tokens, std::span<const int> positions) override;
    std::int64_t last_step_period_cycles() const override { return last_timing_.period_cycles; }

    const plan::Plan& plan() const { return plan_; }
    // The chips this process runs.
    const std::vector<std::unique_ptr<ChipRunner>>& chips() const { return runners_; }
    // True when the chips run on several threads at once (see above).
    bool chips_in_parallel() const { return host_ != nullptr; }

private:
    struct StepCycles {
        std::int64_t latency_cycles = 0;  // from the first op to the last
        std::int64_t period_cycles = 0;   // between back-to-back steps (step_period.hpp)
    };
    // The step just run at `positions` (one per sequence), from the chips' own timing.
    StepCycles executed_step(std::span<const int> positions) const;

    plan::Plan plan_;
    plan::Retimer retimer_;
    model::ModelConfig config_;
    double clock_hz_;
    collectives::Transport& transport_;
    std::vector<std::unique_ptr<kernels::ThreadPool>> chip_pools_;  // one inline pool per chip, in parallel
    std::vector<std::unique_ptr<ChipRunner>> runners_;
    std::vector<ChipRunner*> running_;  // the same, as the scheduler takes them
    kernels::ThreadPool* host_ = nullptr;  // runs the chips, when in parallel
    bool all_local_ = true;
    LogitsBroadcast* broadcast_ = nullptr;
    ChipRunner* head_runner_ = nullptr;   // the head chip, when this process runs it
    std::vector<plan::BufferId> logits_;  // per sequence, on the head chip
    std::vector<std::vector<float>> remote_logits_;  // per sequence, when the head chip is elsewhere
    StepCycles last_timing_;
};

}  // namespace lpu::engine
