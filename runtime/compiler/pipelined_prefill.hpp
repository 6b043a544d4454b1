#pragma once
// Time to first token when the prompt is pipelined through the stages.
//
// The prompt is known in advance, so the step of prompt token t + 1 need not
// wait for token t's logits: it may start as soon as every chip and every
// link it uses has finished with token t (one token per chip and per link at
// a time). That keeps each chip's KV-cache write of token t before token
// t + 1's attention reads it, keeps the transfers of two tokens off a link at
// once (the fabric has no arbiters), and needs no second set of activation
// buffers. With pp stages of equal length the prompt then takes about
// latency x (1 + (P - 1) / pp) instead of P latencies.
//
// This is a prediction for a runtime that overlaps prompt tokens; `lpu run`
// feeds them one step after another (the sum of their latencies).
#include <cstdint>

#include "collectives/fabric_timing.hpp"
#include "plan/plan.hpp"
#include "plan/retime.hpp"

namespace lpu::compiler {

// Cycles from the first prompt token's first op until the last prompt token's
// step ends (its logits give the first generated token), each token timed at
// its own position 0 .. prompt_tokens - 1. `fabric` is the system the plan was
// compiled for, `clock_hz` its chips' clock. Throws lpu::Error unless
// 1 <= prompt_tokens <= the plan's context.
std::int64_t pipelined_prefill_cycles(const plan::Plan& plan, const plan::Retimer& retimer,
                                      const collectives::FabricTiming& fabric, double clock_hz,
                                      std::int64_t prompt_tokens);

}  // namespace lpu::compiler
