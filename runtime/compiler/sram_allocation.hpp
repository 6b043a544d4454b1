#pragma once
// SRAM offsets for every buffer of a lowered program: weights first, then the
// KV cache, activations and receive buffers, each starting on the chip's
// alignment (a 320-byte vector, runtime/chip/sram_arena.hpp). Activations are
// already reused by lifetime in the lowering (one set serves every layer of a
// stage, since layers run one after the other).
#include <cstdint>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::compiler {

// Bytes the fullest chip uses after assign_offsets.
std::int64_t assign_offsets(std::vector<plan::ChipProgram>& chips, std::int64_t alignment_bytes);

}  // namespace lpu::compiler
