#include "runtime/engine/generator.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "base/error.hpp"
#include "base/log.hpp"

namespace lpu::engine {
namespace {

// A lone control byte (e.g. a <0x07> byte token) is not printed, as in the
// llama2.c reference; everything else, including partial UTF-8, is.
bool printable(std::string_view piece) {
    if (piece.size() != 1) return !piece.empty();
    const auto byte = static_cast<unsigned char>(piece[0]);
    return byte >= 0x80 || std::isprint(byte) || std::isspace(byte);
}

}  // namespace

GenerationResult generate(LanguageModel& model, const model::Tokenizer& tokenizer,
                          const GenerationOptions& options,
                          const std::function<void(std::string_view)>& on_text) {
    require(options.steps >= 0, "steps must be >= 0 (got " + std::to_string(options.steps) + ")");
    Sampler sampler(options.sampling);

    GenerationResult result;
    result.prompt_tokens = tokenizer.encode(options.prompt, /*add_bos=*/true);
    const int prompt_length = static_cast<int>(result.prompt_tokens.size());
    const int steps = options.steps == 0 ? model.max_positions() : std::min(options.steps, model.max_positions());
    require(prompt_length <= model.max_positions(),
            "the prompt is " + std::to_string(prompt_length) + " tokens, longer than the " +
                std::to_string(model.max_positions()) + " positions of the KV cache");
    if (options.steps > model.max_positions()) {
        log::get("engine")->warn("steps {} exceeds the {} positions available; using {}", options.steps,
                                 model.max_positions(), steps);
    }

    GenerationStats& stats = result.stats;
    stats.prompt_tokens = prompt_length;
    stats.clock_hz = model.clock_hz();

    int token = result.prompt_tokens.front();
    for (int position = 0; position < steps; ++position) {
        const auto start = std::chrono::steady_clock::now();
        std::span<float> logits = model.forward(token, position);
        stats.host_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        stats.emulated_cycles += model.last_forward_cycles();
        stats.max_forward_cycles = std::max(stats.max_forward_cycles, model.last_forward_cycles());
        stats.positions = position + 1;

        const bool in_prompt = position + 1 < prompt_length;
        const int next = in_prompt ? result.prompt_tokens[static_cast<std::size_t>(position) + 1]
                                   : sampler.sample(logits);
        // BOS starts a new sequence and EOS ends this one: either way we stop.
        if (next == tokenizer.bos_id() || next == tokenizer.eos_id()) {
            result.stopped_at_eos = true;
            break;
        }
        result.tokens.push_back(next);
        const std::string piece = tokenizer.decode(token, next);
        if (printable(piece)) {
            result.text += piece;
            if (on_text) on_text(piece);
        }
        token = next;
    }
    return result;
}

}  // namespace lpu::engine
