#pragma once
// Runs the chips of this process through one step of a plan, on the host's
// threads. Chips that can run at once (the TP ranks of a stage, the stages of
// different micro-batches) then overlap on the host's cores.
//
// Each thread takes a chip that nobody runs, runs it until it waits for a
// message it does not have (ChipRunner::advance), and takes another. A chip
// that waited is tried again only once something has happened since it
// started its last try (another chip went on or its sends left, so may have
// sent to it, or a message came from another process), so idle threads sleep
// instead of spinning over chips that wait. When no chip can go on and none runs, only
// a message from another process can help: one thread waits for the
// transport; in a plan whose chips are all here that is a deadlock, reported
// naming a waiting chip.
//
// The output is the same bit for bit whatever the thread count and timing:
// each chip executes its own program in order on its own buffers, and what it
// receives is fixed by the plan.
#include <span>
#include <vector>

#include "collectives/transport.hpp"
#include "runtime/engine/chip_runner.hpp"
#include "runtime/kernels/thread_pool.hpp"

namespace lpu::engine {

// Runs every chip of `chips` to the end of the step they began. `host`
// supplies the threads (its thread count; 1: the calling thread alone); the
// chips' kernels must not use it. `all_local`: every chip of the plan is in
// `chips`. Throws the first error a chip or the transport raised.
void run_chips(std::span<ChipRunner* const> chips, collectives::Transport& transport, kernels::ThreadPool* host,
               bool all_local);

}  // namespace lpu::engine
