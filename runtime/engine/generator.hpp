#pragma once
// The generation loop: prefill the prompt, then decode, streaming text as it
// comes. A model that runs several sequences per step (a batched plan) runs
// them all at once: the same prompt, each sequence with its own sampling seed.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine/language_model.hpp"
#include "runtime/engine/sampler.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::engine {

struct GenerationOptions {
    std::string prompt;
    // Positions processed, prompt included, as the llama2.c reference counts them:
    // no prompt and 256 steps print 256 tokens. 0 means the model's whole context.
    int steps = 256;
    SamplingOptions sampling;
    // Keep generating through BOS and EOS (for timing runs of a fixed length).
    bool ignore_eos = false;
    // Teacher forcing: when not empty, these token ids are the whole sequence
    // (the first at position 0, usually BOS) in place of the prompt; each is
    // processed, none is sampled, and BOS/EOS among them do not stop the run.
    std::vector<int> forced_tokens;
    // The highest logits to record at each position, with their token ids
    // (0: none; the vocabulary size: every logit).
    int top_logits = 0;
};

// A token id and its logit.
struct TokenLogit {
    int token = 0;
    float logit = 0.0f;
};

struct GenerationStats {
    int positions = 0;                 // forward passes run
    int prompt_tokens = 0;             // including BOS
    double host_seconds = 0.0;         // wall time of all forward passes
    std::int64_t emulated_cycles = 0;  // sum over forward passes of their latency
    std::int64_t max_forward_cycles = 0;
    std::int64_t emulated_period_cycles = 0;  // sum of the steps' back-to-back periods
    int batch = 1;                            // sequences per step
    double clock_hz = 0.0;

    double host_tokens_per_second() const { return host_seconds > 0 ? batch * positions / host_seconds : 0.0; }
    double emulated_us_per_token() const {
        return positions > 0 ? emulated_cycles / clock_hz * 1e6 / positions : 0.0;
    }
    // Decode throughput of all sequences together, in tokens per emulated second.
    double emulated_tokens_per_second() const {
        return emulated_period_cycles > 0 ? batch * positions * clock_hz / emulated_period_cycles : 0.0;
    }
};

struct GenerationResult {
    std::vector<int> prompt_tokens;    // the encoded prompt (BOS first when the vocabulary adds it)
    std::vector<int> tokens;           // every token that followed a position: forced prompt tokens, then sampled ones
    std::string text;                  // the decoded text of `tokens`
    bool stopped_at_eos = false;       // ended by BOS or an end-of-generation token (EOS, end of turn)
    // Per position, its highest logits (GenerationOptions::top_logits of them),
    // highest first, ties by token id: the prediction of the next token.
    std::vector<std::vector<TokenLogit>> top_logits;
    GenerationStats stats;
};

// Whether a decoded piece is output: a lone control byte (e.g. a <0x07> byte
// token) is not, as in the llama2.c reference; everything else, including
// partial UTF-8, is.
bool printable(std::string_view piece);

// The `count` highest of `logits`, highest first, ties by token id.
std::vector<TokenLogit> highest_logits(std::span<const float> logits, int count);

// Runs the loop for a model of batch 1. `on_text` receives each printable
// piece as soon as it is known.
GenerationResult generate(LanguageModel& model, const model::Tokenizer& tokenizer,
                          const GenerationOptions& options,
                          const std::function<void(std::string_view)>& on_text = {});

// Runs model.batch_size() sequences; sequence b samples with seed
// options.sampling.seed + b. Steps continue until every sequence has stopped
// (a stopped sequence's slot keeps running, its output is ignored). Every
// result holds the shared stats.
std::vector<GenerationResult> generate_batch(LanguageModel& model, const model::Tokenizer& tokenizer,
                                             const GenerationOptions& options,
                                             const std::function<void(std::string_view)>& on_text = {});

}  // namespace lpu::engine
