#pragma once
// What the generation loop needs from a model, however it is executed: on one
// emulated chip, or partitioned over many by a compiled plan.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/model/model_config.hpp"

namespace lpu::engine {

class LanguageModel {
public:
    virtual ~LanguageModel() = default;

    virtual const model::ModelConfig& config() const = 0;

    // Positions this instance can process (its KV cache length).
    virtual int max_positions() const = 0;

    // Processes `token` at `position` (positions go 0, 1, 2, ... within one
    // sequence) and returns the logits over the vocabulary, valid until the next call.
    virtual std::span<float> forward(int token, int position) = 0;

    // Emulated LPU cycles the last forward() took, and the clock they count.
    virtual std::int64_t last_forward_cycles() const = 0;
    virtual double clock_hz() const = 0;

    // Sequences a step processes together (a compiled plan's batch).
    virtual int batch_size() const { return 1; }
    // tokens[b] is sequence b's token at positions[b] (each sequence has its
    // own position: continuous batching); returns the logits of each
    // sequence. Models of batch 1 take one token.
    virtual std::vector<std::span<float>> forward_batch(std::span<const int> tokens, std::span<const int> positions) {
        invariant(tokens.size() == 1 && positions.size() == 1,
                  "this model runs one sequence per step, not " + std::to_string(tokens.size()));
        return {forward(tokens.front(), positions.front())};
    }
    // Cycles between the starts of consecutive steps when steps follow each
    // other back to back: below the step's latency when pipeline stages work
    // on different sequences at once. Valid after a forward.
    virtual std::int64_t last_step_period_cycles() const { return last_forward_cycles(); }
};

}  // namespace lpu::engine
