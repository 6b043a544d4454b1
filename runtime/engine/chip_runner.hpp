#pragma once
// One emulated chip executing its program of a plan with real numbers: its
// buffers live in its own SRAM arena at the plan's offsets, it holds only its
// shard of the weights, and it exchanges only through the Transport.
//
// Cooperative: advance() runs instructions until the next Recv whose message
// has not arrived yet (or the end of the step), so one host thread can drive
// many chips (plan_model.hpp) without ever blocking on a peer it also drives.
// The op encoding is lowering.hpp's.
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "collectives/transport.hpp"
#include "plan/plan.hpp"
#include "runtime/chip/emulated_chip.hpp"
#include "runtime/kernels/matrix.hpp"
#include "runtime/kernels/thread_pool.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::engine {

class ChipRunner {
public:
    // Allocates the program's buffers and loads its weights from `file`.
    // Throws lpu::Error when the program does not match the model or the chip.
    ChipRunner(const plan::ChipProgram& program, const model::ModelFile& file, const sim::ChipSpec& spec,
               kernels::ThreadPool& pool);

    // Starts a step: tokens[b] is sequence b's token (read by its embed), all at `position`.
    void begin_step(std::span<const int> tokens, int position);
    // Runs until done or blocked on a Recv; returns true when it executed anything.
    bool advance(collectives::Transport& transport);
    bool done() const { return next_ >= program_.instructions.size(); }
    // The instruction it waits at, for error messages.
    std::size_t next_instruction() const { return next_; }

    const plan::ChipProgram& program() const { return program_; }
    const chip::EmulatedChip& chip() const { return chip_; }
    std::span<float> floats(plan::BufferId buffer);

private:
    void load_weights(const model::ModelFile& file);
    void check(const plan::Compute& compute) const;
    void execute(const plan::Compute& compute);
    const kernels::Matrix& matrix(plan::BufferId buffer) const;

    const plan::ChipProgram& program_;
    const model::ModelConfig& config_;
    kernels::ThreadPool& pool_;
    chip::EmulatedChip chip_;
    std::vector<std::span<std::byte>> buffers_;     // by BufferId
    std::map<plan::BufferId, kernels::Matrix> matrices_;
    std::size_t next_ = 0;
    std::vector<int> tokens_;
    int position_ = 0;
};

}  // namespace lpu::engine
