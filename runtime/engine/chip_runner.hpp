#pragma once
// One emulated chip executing its program of a plan with real numbers: its
// buffers live in its own SRAM arena at the plan's offsets, it holds only its
// shard of the weights, and it exchanges only through the Transport.
//
// Cooperative: advance() runs instructions until the next Recv whose message
// has not arrived yet (or the end of the step), so one host thread can drive
// many chips (plan_model.hpp) without ever blocking on a peer it also drives.
// The op encoding is lowering.hpp's.
//
// The chip keeps its own time as it executes (EmulatedChip::begin_instruction):
// each op at its cost for the step's position, and each receive no earlier
// than its data arrives. Every message carries the cycle its send started on
// the sending chip (a stamp after the bytes), so a receiver knows when the
// data arrives from the message itself, wherever the sender runs. The cycles
// each instruction actually started and took are the chip's timing of the step.
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "collectives/transport.hpp"
#include "plan/plan.hpp"
#include "runtime/chip/emulated_chip.hpp"
#include "runtime/engine/expert_load.hpp"
#include "runtime/kernels/expert_routing.hpp"
#include "runtime/kernels/matrix.hpp"
#include "runtime/kernels/thread_pool.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::engine {

class ChipRunner {
public:
    // Runs chip `chip` (an index into plan.chips): allocates its program's
    // buffers and loads its weights from `file`. Throws lpu::Error when the
    // program does not match the model or the chip. Keeps a reference to `plan`.
    ChipRunner(const plan::Plan& plan, std::size_t chip, const model::ModelFile& file, const sim::ChipSpec& spec,
               kernels::ThreadPool& pool);

    // Starts a step: tokens[b] is sequence b's token (read by its embed) at
    // positions[b] (read by its rope and attention), one of each per sequence of the batch.
    void begin_step(std::span<const int> tokens, std::span<const int> positions);
    // Runs until done or blocked on a Recv; returns true when it executed anything.
    // `sent`, when given, is called each time a run of sends has left (been
    // flushed), so a scheduler can start the chips waiting for them at once
    // rather than when this chip next blocks.
    bool advance(collectives::Transport& transport, const std::function<void()>& sent = {});
    bool done() const { return next_ >= program_.instructions.size(); }
    // The instruction it waits at, for error messages.
    std::size_t next_instruction() const { return next_; }

    const plan::ChipProgram& program() const { return program_; }
    std::size_t plan_index() const { return index_; }  // into plan.chips
    const chip::EmulatedChip& chip() const { return chip_; }
    std::span<float> floats(plan::BufferId buffer);

    // The step so far as this chip ran it, by instruction: the cycle each
    // started and how long it kept the chip busy (a row of plan::StepTiming).
    const std::vector<std::int64_t>& start_cycles() const { return start_cycles_; }
    const std::vector<std::int64_t>& durations() const { return durations_; }

    // Mixture of experts: the tokens each expert of the layers this chip routes
    // saw, over every step so far. Every TP rank of a stage routes the same
    // tokens, so one rank's counts are the stage's.
    const ExpertLoad& expert_load() const { return expert_load_; }

private:
    void load_weights(const model::ModelFile& file);
    void check(const plan::Compute& compute) const;
    void execute(const plan::Compute& compute);
    const kernels::Matrix& matrix(plan::BufferId buffer) const;
    const std::vector<kernels::Matrix>& expert_matrices(plan::BufferId buffer) const;
    int position_of(const plan::Compute& compute) const { return positions_[compute.sequence]; }
    // Starts instruction next_ (arriving data at `arrival_cycle`) and runs it for `cycles` of `kind`.
    void keep_time(chip::OpKind kind, std::int64_t cycles, std::int64_t arrival_cycle = 0);

    const plan::Plan& plan_;
    std::size_t index_;
    const plan::ChipProgram& program_;
    const model::ModelConfig& config_;
    kernels::ThreadPool& pool_;
    chip::EmulatedChip chip_;
    std::vector<std::span<std::byte>> buffers_;     // by BufferId
    std::map<plan::BufferId, kernels::Matrix> matrices_;
    std::map<plan::BufferId, std::vector<kernels::Matrix>> experts_;  // stacked experts, by expert
    std::vector<kernels::ExpertChoice> routing_;                       // the last route's slots
    ExpertLoad expert_load_;
    std::size_t next_ = 0;
    std::vector<int> tokens_;
    std::vector<int> positions_;  // by sequence, this step
    std::vector<std::int64_t> start_cycles_;  // by instruction, this step
    std::vector<std::int64_t> durations_;
    std::vector<std::byte> outgoing_;  // a message being sent: the bytes, then the stamp
    std::vector<std::byte> incoming_;  // a message being received, the same way
};

}  // namespace lpu::engine
