#include "runtime/engine/plan_model.hpp"

#include <algorithm>
#include <map>

#include "base/error.hpp"
#include "runtime/compiler/lowering.hpp"
#include "runtime/compiler/step_period.hpp"
#include "runtime/engine/chip_scheduler.hpp"

namespace lpu::engine {
namespace {

std::size_t head_chip(const plan::Plan& plan) {
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        const auto& role = plan.chips[c].role;
        if (role.tp_rank == 0 && role.pp_stage + 1 == plan.grid.pp) return c;
    }
    throw Error("the plan has no chip for TP rank 0 of its last pipeline stage");
}

// Chips whose weights are below this run one after the other: a step of such
// a chip takes microseconds, about what handing it to another thread costs.
constexpr std::int64_t kMinParallelChipWeightBytes = std::int64_t{1} << 20;

// How many of this process's chips can compute at once: the TP ranks of a
// stage, times the stages when micro-batches keep several stages busy.
int chips_at_once(const plan::Plan& plan, const std::vector<bool>& local) {
    std::map<std::uint32_t, int> per_stage;
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        if (local.empty() || local[c]) ++per_stage[plan.chips[c].role.pp_stage];
    }
    int widest = 0;
    for (const auto& [stage, chips] : per_stage) widest = std::max(widest, chips);
    return plan.grid.micro_batches > 1 ? widest * static_cast<int>(per_stage.size()) : widest;
}

std::int64_t weight_bytes(const plan::ChipProgram& program) {
    std::int64_t bytes = 0;
    for (const auto& buffer : program.buffers) {
        if (buffer.use == plan::BufferUse::weights) bytes += buffer.size_bytes;
    }
    return bytes;
}

plan::BufferId buffer_named(const plan::ChipProgram& program, const std::string& name) {
    for (plan::BufferId id = 0; id < program.buffers.size(); ++id) {
        if (program.buffers[id].name == name) return id;
    }
    throw Error("chip " + std::to_string(program.chip) + " of the plan has no '" + name + "' buffer");
}

}  // namespace

PlanModel::PlanModel(plan::Plan plan, const model::ModelFile& file, const sim::ChipSpec& spec,
                     collectives::Transport& transport, LocalChips local, kernels::ThreadPool& pool)
    : plan_(std::move(plan)), retimer_(plan_), config_(file.config()), clock_hz_(spec.clock_hz), transport_(transport) {
    require(plan_.context_positions >= 1 && plan_.context_positions <= config_.context_length,
            "the plan's KV cache of " + std::to_string(plan_.context_positions) +
                " positions does not suit the model's context of " + std::to_string(config_.context_length));
    require(plan_.sram_bytes == spec.sram_bytes, "the plan was compiled for chips with " +
                                                     std::to_string(plan_.sram_bytes) + " bytes of SRAM, '" +
                                                     spec.name + "' has " + std::to_string(spec.sram_bytes));
    require(plan_.grid.batch >= 1, "the plan's batch is 0 sequences");
    // Replicas are for scaling studies: they multiply throughput, which is a
    // question of time alone; one replica already gives every token.
    require(plan_.grid.replicas == 1, [&] {
        return "the plan has " + std::to_string(plan_.grid.replicas) +
               " data-parallel replicas, which only `lpu sim` times; `lpu run` runs one (compile with --replicas 1)";
    });
    invariant(local.local.empty() || local.local.size() == plan_.chips.size(),
              "the local chip set names " + std::to_string(local.local.size()) + " chips, the plan has " +
                  std::to_string(plan_.chips.size()));
    const auto is_local = [&](std::size_t c) { return local.local.empty() || local.local[c]; };
    const std::size_t head = head_chip(plan_);
    for (int sequence = 0; sequence < batch_size(); ++sequence) {
        const auto& program = plan_.chips[head];
        logits_.push_back(buffer_named(program, compiler::logits_buffer_name(sequence)));
        require(program.buffers[logits_.back()].size_bytes >= static_cast<std::int64_t>(sizeof(float)) * config_.vocab_size,
                "the plan's logits buffer does not hold the model's " + std::to_string(config_.vocab_size) + " logits");
    }
    std::int64_t local_weight_bytes = 0;
    int local_chips = 0;
    for (std::size_t c = 0; c < plan_.chips.size(); ++c) {
        if (!is_local(c)) continue;
        local_weight_bytes += weight_bytes(plan_.chips[c]);
        ++local_chips;
    }
    const bool parallel = pool.thread_count() > 1 && chips_at_once(plan_, local.local) > 1 &&
                          local_weight_bytes >= kMinParallelChipWeightBytes * local_chips;
    if (parallel) host_ = &pool;
    for (std::size_t c = 0; c < plan_.chips.size(); ++c) {
        if (!is_local(c)) {
            all_local_ = false;
            continue;
        }
        kernels::ThreadPool* kernels = &pool;
        if (parallel) kernels = chip_pools_.emplace_back(std::make_unique<kernels::ThreadPool>(1)).get();
        runners_.push_back(std::make_unique<ChipRunner>(plan_, c, file, spec, *kernels));
        running_.push_back(runners_.back().get());
        if (c == head) head_runner_ = runners_.back().get();
    }
    broadcast_ = local.broadcast;
    invariant(all_local_ || broadcast_, "a plan whose chips run in several processes needs a logits broadcast");
    if (!head_runner_) {
        remote_logits_.assign(static_cast<std::size_t>(batch_size()),
                              std::vector<float>(static_cast<std::size_t>(config_.vocab_size)));
    }
}

PlanModel::StepCycles PlanModel::executed_step(std::span<const int> positions) const {
    if (all_local_) {
        plan::StepTiming executed;
        for (const auto& runner : runners_) {
            executed.cycles.push_back(runner->start_cycles());
            executed.durations.push_back(runner->durations());
        }
        return {executed.end_cycle(), compiler::step_period_cycles(plan_, executed)};
    }
    const std::vector<std::int64_t> wide(positions.begin(), positions.end());
    const plan::StepTiming planned = retimer_.timing(wide);
    for (const auto& runner : runners_) {
        const std::size_t c = runner->plan_index();
        for (std::size_t i = 0; i < runner->start_cycles().size(); ++i) {
            // Both sides follow the plan's timing rules; a difference is a bug here, not bad input.
            invariant(runner->start_cycles()[i] == planned.cycles[c][i] && runner->durations()[i] == planned.durations[c][i],
                      [&] {
                          return "chip " + std::to_string(runner->program().chip) + " ran instruction " +
                                 std::to_string(i) + " of the step at cycle " +
                                 std::to_string(runner->start_cycles()[i]) + " for " +
                                 std::to_string(runner->durations()[i]) + " cycles; the plan's timing says " +
                                 std::to_string(planned.cycles[c][i]) + " for " + std::to_string(planned.durations[c][i]);
                      });
        }
    }
    return {planned.end_cycle(), compiler::step_period_cycles(plan_, planned)};
}

std::span<float> PlanModel::forward(int token, int position) {
    invariant(batch_size() == 1, "the plan runs " + std::to_string(batch_size()) +
                                     " sequences per step: give a token for each (forward_batch)");
    const int tokens[] = {token};
    const int positions[] = {position};
    return forward_batch(tokens, positions).front();
}

std::vector<std::span<float>> PlanModel::forward_batch(std::span<const int> tokens, std::span<const int> positions) {
    invariant(static_cast<int>(tokens.size()) == batch_size() && static_cast<int>(positions.size()) == batch_size(),
              "the plan runs " + std::to_string(batch_size()) + " sequences per step, " + std::to_string(tokens.size()) +
                  " tokens and " + std::to_string(positions.size()) + " positions were given");
    for (int token : tokens) {
        require(token >= 0 && token < config_.vocab_size, "token id " + std::to_string(token) + " out of range");
    }
    for (int position : positions) {
        require(position >= 0 && position < max_positions(), "position " + std::to_string(position) + " beyond the " +
                                                                 std::to_string(max_positions()) + "-position KV cache");
    }
    for (auto& runner : runners_) runner->begin_step(tokens, positions);
    try {
        run_chips(running_, transport_, host_, all_local_);
    } catch (const std::exception& e) {
        transport_.abort(e.what());
        throw;
    }
    last_timing_ = executed_step(positions);
    std::vector<std::span<float>> logits;
    for (std::size_t b = 0; b < logits_.size(); ++b) {
        std::span<float> values = head_runner_ ? head_runner_->floats(logits_[b]).first(static_cast<std::size_t>(config_.vocab_size))
                                               : std::span<float>(remote_logits_[b]);
        if (broadcast_) broadcast_->broadcast(values);
        logits.push_back(values);
    }
    return logits;
}

}  // namespace lpu::engine
