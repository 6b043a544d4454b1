#include "runtime/engine/generator.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <span>

#include "base/error.hpp"
#include "base/log.hpp"

namespace lpu::engine {
namespace {

// One sequence of a batch: forced prompt tokens, then sampled ones, until
// BOS or an end-of-generation token (BOS starts a new sequence, EOS / end of turn end this one).
// Teacher-forced runs take every token from the prompt and stop after its last one.
class SequenceRun {
public:
    SequenceRun(const model::Tokenizer& tokenizer, const GenerationOptions& options, const SamplingOptions& sampling,
                std::vector<int> prompt)
        : tokenizer_(tokenizer),
          sampler_(sampling),
          forced_(!options.forced_tokens.empty()),
          ignore_eos_(options.ignore_eos || forced_),
          top_logits_(options.top_logits),
          token_(prompt.front()) {
        result_.prompt_tokens = std::move(prompt);
    }

    int token() const { return token_; }
    bool done() const { return result_.stopped_at_eos; }
    GenerationResult& result() { return result_; }

    void accept(std::span<float> logits, int position, const std::function<void(std::string_view)>& on_text) {
        if (done()) return;
        if (top_logits_ > 0) result_.top_logits.push_back(highest_logits(logits, top_logits_));
        const auto& prompt = result_.prompt_tokens;
        const bool in_prompt = position + 1 < static_cast<int>(prompt.size());
        if (forced_ && !in_prompt) {
            result_.stopped_at_eos = true;  // the forced sequence is over
            return;
        }
        const int next = in_prompt ? prompt[static_cast<std::size_t>(position) + 1] : sampler_.sample(logits);
        if (!ignore_eos_ && (next == tokenizer_.bos_id() || tokenizer_.is_end_of_generation(next))) {
            result_.stopped_at_eos = true;
            return;
        }
        result_.tokens.push_back(next);
        const std::string piece = tokenizer_.decode(token_, next);
        if (printable(piece)) {
            result_.text += piece;
            if (on_text) on_text(piece);
        }
        token_ = next;
    }

private:
    const model::Tokenizer& tokenizer_;
    Sampler sampler_;
    bool forced_;
    bool ignore_eos_;
    int top_logits_;
    int token_;
    GenerationResult result_;
};

// The sequence to run: the forced tokens as given, or the encoded prompt.
std::vector<int> sequence_start(const LanguageModel& model, const model::Tokenizer& tokenizer,
                                const GenerationOptions& options) {
    if (options.forced_tokens.empty()) {
        std::vector<int> prompt = tokenizer.encode(options.prompt);
        if (prompt.empty()) {
            // Vocabularies without add_bos (Qwen) still need a token at position 0.
            require(tokenizer.bos_id() >= 0, "the prompt is empty and the vocabulary has no BOS token to start from");
            prompt.push_back(tokenizer.bos_id());
        }
        return prompt;
    }
    require(options.prompt.empty(), "forced tokens replace the prompt: give one or the other");
    for (const int token : options.forced_tokens) {
        require(token >= 0 && token < model.config().vocab_size, [&] {
            return "forced token " + std::to_string(token) + " is outside the vocabulary [0, " +
                   std::to_string(model.config().vocab_size) + ")";
        });
    }
    return options.forced_tokens;
}

}  // namespace

bool printable(std::string_view piece) {
    if (piece.size() != 1) return !piece.empty();
    const auto byte = static_cast<unsigned char>(piece[0]);
    return byte >= 0x80 || std::isprint(byte) || std::isspace(byte);
}

std::vector<TokenLogit> highest_logits(std::span<const float> logits, int count) {
    require(count >= 0, "top logits: count " + std::to_string(count) + " must not be negative");
    std::vector<TokenLogit> all(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) all[i] = {static_cast<int>(i), logits[i]};
    const auto kept = std::min(all.size(), static_cast<std::size_t>(count));
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kept), all.end(),
                      [](const TokenLogit& a, const TokenLogit& b) {
                          return a.logit > b.logit || (a.logit == b.logit && a.token < b.token);
                      });
    all.resize(kept);
    return all;
}

std::vector<GenerationResult> generate_batch(LanguageModel& model, const model::Tokenizer& tokenizer,
                                             const GenerationOptions& options,
                                             const std::function<void(std::string_view)>& on_text) {
    require(options.steps >= 0, "steps must be >= 0 (got " + std::to_string(options.steps) + ")");
    const std::vector<int> prompt = sequence_start(model, tokenizer, options);
    const int prompt_length = static_cast<int>(prompt.size());
    const int asked = options.forced_tokens.empty() ? options.steps : prompt_length;
    const int steps = asked == 0 ? model.max_positions() : std::min(asked, model.max_positions());
    require(prompt_length <= model.max_positions(),
            "the prompt is " + std::to_string(prompt_length) + " tokens, longer than the " +
                std::to_string(model.max_positions()) + " positions of the KV cache");
    if (options.forced_tokens.empty() && options.steps > model.max_positions()) {
        log::get("engine")->warn("steps {} exceeds the {} positions available; using {}", options.steps,
                                 model.max_positions(), steps);
    }

    const int batch = model.batch_size();
    std::vector<SequenceRun> sequences;
    for (int b = 0; b < batch; ++b) {
        SamplingOptions sampling = options.sampling;
        sampling.seed += static_cast<std::uint64_t>(b);
        sequences.emplace_back(tokenizer, options, sampling, prompt);
    }
    GenerationStats stats;
    stats.prompt_tokens = prompt_length;
    stats.clock_hz = model.clock_hz();
    stats.batch = batch;

    std::vector<int> tokens(static_cast<std::size_t>(batch));
    const auto all_done = [&] {
        return std::all_of(sequences.begin(), sequences.end(), [](const SequenceRun& s) { return s.done(); });
    };
    for (int position = 0; position < steps && !all_done(); ++position) {
        for (int b = 0; b < batch; ++b) tokens[static_cast<std::size_t>(b)] = sequences[static_cast<std::size_t>(b)].token();
        const auto start = std::chrono::steady_clock::now();
        const std::vector<int> positions(static_cast<std::size_t>(batch), position);
        const std::vector<std::span<float>> logits = model.forward_batch(tokens, positions);
        stats.host_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        stats.emulated_cycles += model.last_forward_cycles();
        stats.emulated_period_cycles += model.last_step_period_cycles();
        stats.max_forward_cycles = std::max(stats.max_forward_cycles, model.last_forward_cycles());
        stats.positions = position + 1;
        for (int b = 0; b < batch; ++b) {
            sequences[static_cast<std::size_t>(b)].accept(logits[static_cast<std::size_t>(b)], position,
                                                          batch == 1 ? on_text : nullptr);
        }
    }
    std::vector<GenerationResult> results;
    for (auto& sequence : sequences) {
        results.push_back(std::move(sequence.result()));
        results.back().stats = stats;
    }
    return results;
}

GenerationResult generate(LanguageModel& model, const model::Tokenizer& tokenizer, const GenerationOptions& options,
                          const std::function<void(std::string_view)>& on_text) {
    invariant(model.batch_size() == 1, "the model runs " + std::to_string(model.batch_size()) +
                                           " sequences per step: use generate_batch");
    return std::move(generate_batch(model, tokenizer, options, on_text).front());
}

}  // namespace lpu::engine
