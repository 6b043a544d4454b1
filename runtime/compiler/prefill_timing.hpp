#pragma once
// Time to first token: the prompt's decode steps one after another, and a
// lower bound with them pipelined through the stages.
//
// `lpu run` feeds a prompt one whole decode step after another. The prompt is
// known in advance, though, so the step of prompt token t + 1 need not wait
// for token t's logits: it could start as soon as every chip it uses has
// finished with token t (one token per chip at a time, which keeps each chip's
// KV-cache write of token t before token t + 1's attention reads it and needs
// no second set of activation buffers). With pp stages of equal length the
// prompt then takes about latency x (1 + (P - 1) / pp) instead of P latencies.
//
// That is a lower bound: transfers of different tokens are not kept off each
// other's links. The compiler's link book holds one step; shifting whole steps
// rigidly until no two tokens' transfers meet on a link costs several times
// more (tens of thousands of transfer windows per step collide somewhere),
// while a schedule of the whole prompt would only slip the transfers that meet.
#include <cstdint>

#include "plan/plan.hpp"
#include "plan/retime.hpp"

namespace lpu::compiler {

// Cycles from the first prompt token's first op until the last prompt token's
// step ends (its logits give the first generated token), each token timed at
// its own position 0 .. prompt_tokens - 1.
struct PrefillCycles {
    std::int64_t sequential = 0;             // the steps one after another, as `lpu run` takes them
    std::int64_t pipelined_lower_bound = 0;  // tokens overlapped across the stages
};

// Times each prompt position once for both. Throws lpu::Error unless
// 1 <= prompt_tokens <= the plan's context.
PrefillCycles prefill_cycles(const plan::Plan& plan, const plan::Retimer& retimer, std::int64_t prompt_tokens);

}  // namespace lpu::compiler
