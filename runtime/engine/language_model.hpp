#pragma once
// What the generation loop needs from a model, however it is executed: on one
// emulated chip, or partitioned over many by a compiled plan.
#include <cstdint>
#include <span>

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
};

}  // namespace lpu::engine
