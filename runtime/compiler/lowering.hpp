#pragma once
// Lowering: a Llama model on a placed TP x PP grid -> every chip's buffers and
// instructions, scheduled as they are emitted (plan_scheduler.hpp).
//
// One decode step gives each of the `batch` sequences one token. Sequences go
// through the pipeline one after the other (micro-batches of one sequence), so
// stage s + 1 works on sequence b while stage s already works on b + 1; each
// sequence has its own KV cache. Per sequence, per chip of stage s, TP rank r
// (see tensor_shard.hpp for the slices):
//   stage 0:  embed (its vocabulary rows; zeros unless it holds the token),
//             all-reduce x over the TP group (the sum is the token's row)
//   stage>0:  recv x from (s - 1, r): whole, or only its block r followed by
//             an all-gather of x over the TP group, whichever the fabric model
//             times faster for that boundary (stage_hop.hpp)
//   per layer: rmsnorm; q/k/v = its rows of wq/wk/wv (+ those rows of the
//             biases, when the model has them); rope; attention (stores
//             k, v at the position, attends its query heads); partial = its
//             columns of wo; all-reduce partial; x += partial; rmsnorm; gate/up =
//             its hidden rows; swiglu; partial = its columns of w_down;
//             all-reduce; x += partial
//             (mixture of experts: rmsnorm; router; route (top k); per active
//             slot its hidden rows of that expert's gate/up, swiglu, its
//             columns of w_down times the routing weight, summed into partial;
//             all-reduce; x += partial — a static cost of k experts per token,
//             see expert_feed_forward_block)
//   stage<pp-1: send x (or its block r) to (s + 1, r)
//   last stage: rmsnorm; logits = its vocabulary rows of the LM head; ranks
//             r > 0 send theirs to rank 0, whose "logits.<sequence>" buffer
//             then holds all.
// All-reduces and all-gathers use the collectives library's schedule for the group (chosen by
// the fabric model unless an algorithm is named), lowered transfer by transfer:
// sends first, then receives in transfer order, a reduction as Recv into the
// "rx" buffer followed by an add — the library's fixed fold order, so every
// rank ends with bitwise the same sum.
//
// Op encoding (what the runtime executes; shape fields in this order):
//   embed     shape {vocab_begin, vocab_end, sequence}  in {table}       out {x}
//   rmsnorm   shape {n}                          in {x, weight}          out {y}
//   matmul    shape {rows, cols}                 in {matrix, x}          out {y}
//   lm_head   shape {rows, cols, sequence}      like matmul
//   rope      shape {q_heads, kv_heads, head_dim, pairing}               out {q, k}
//             in {q, k} or {q, k, rope_freqs}; pairing 0 rotates adjacent
//             pairs, 1 the halves of each head (rope_pairing_code); the
//             model's theta and linear scale apply, the factors when given
//   attention shape {n_heads, n_kv_heads, head_dim, first_head, head_count}
//             in {q, k, v, key_cache, value_cache, scores}               out {out}
//   swiglu    shape {n}                          in {gate, up}           out {gate}
//   add       shape {dst_offset, src_offset, n}  in {dst, src}           out {dst}
//             (also adds a bias: src is its weight buffer)
//   route     shape {experts, k, layer}          in {router logits}      out {router logits}
//             routes the token as kernels::route_token does (the top k experts,
//             weights renormalised) for the expert_matmul ops that follow it on
//             the chip, up to the next route; the logits stay as they are
//   expert_matmul shape {rows, cols, slot, weighted}  in {experts, x}    out {y}
//             y = the matrix of the expert the last route put in `slot` (of the
//             `experts` stacked in the buffer) x, times that slot's weight
//             when weighted is 1
#include <cstdint>
#include <string>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "plan/plan.hpp"
#include "runtime/compiler/pipeline_stages.hpp"
#include "runtime/compiler/placement.hpp"
#include "runtime/compiler/plan_scheduler.hpp"
#include "runtime/kernels/rope.hpp"
#include "runtime/model/model_config.hpp"
#include "sim/chip/chip_spec.hpp"

namespace lpu::compiler {

// The rope op's pairing field, and back (throws lpu::Error for another value).
std::int64_t rope_pairing_code(kernels::RopePairing pairing);
kernels::RopePairing rope_pairing_from_code(std::int64_t code);

// The buffer of the head chip (last stage, TP rank 0) that holds a sequence's
// logits over the whole vocabulary at the end of a step.
std::string logits_buffer_name(int sequence);

struct LoweringInput {
    const model::ModelConfig* config = nullptr;
    const sim::ChipSpec* spec = nullptr;
    const collectives::FabricTiming* fabric = nullptr;
    Placement placement;
    PipelineSplit split;      // layers of each stage
    int positions = 0;        // KV cache length
    int batch = 1;            // sequences per decode step
    std::string collective_algorithm = "auto";
    SchedulerParams scheduler;
};

struct LoweredProgram {
    std::vector<plan::ChipProgram> chips;  // chips[stage * tp + rank]
    std::int64_t min_flight_cycles = -1;   // -1 when there are no transfers
};

LoweredProgram lower_model(const LoweringInput& input);

}  // namespace lpu::compiler
