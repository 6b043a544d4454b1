#include "runtime/engine/chat_session.hpp"

#include <algorithm>
#include <chrono>

#include "base/error.hpp"
#include "runtime/model/chat_prompt.hpp"

namespace lpu::engine {

const char* reply_end_name(ReplyEnd end) {
    switch (end) {
        case ReplyEnd::EndOfTurn: return "end_of_turn";
        case ReplyEnd::TokenLimit: return "token_limit";
        case ReplyEnd::ContextFull: return "context_full";
    }
    return "unknown";
}

ChatSession::ChatSession(LanguageModel& model, const model::Tokenizer& tokenizer,
                         std::optional<model::ChatTemplate> chat_template, const SamplingOptions& sampling,
                         const std::string& system)
    : model_(model), tokenizer_(tokenizer), template_(std::move(chat_template)), sampler_(sampling) {
    require(model.batch_size() == 1, "chat runs one conversation: the model runs " +
                                         std::to_string(model.batch_size()) + " sequences per step");
    if (!system.empty()) messages_.push_back({"system", system});
}

std::vector<int> ChatSession::prompt_tokens(bool add_assistant_start) const {
    return model::chat_prompt_tokens(tokenizer_, template_, messages_, add_assistant_start);
}

std::span<float> ChatSession::run(int token, GenerationStats& stats) {
    const int position = static_cast<int>(cached_.size());
    const auto start = std::chrono::steady_clock::now();
    const std::span<float> logits = model_.forward(token, position);
    stats.host_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    stats.emulated_cycles += model_.last_forward_cycles();
    stats.emulated_period_cycles += model_.last_step_period_cycles();
    stats.max_forward_cycles = std::max(stats.max_forward_cycles, model_.last_forward_cycles());
    ++stats.positions;
    cached_.push_back(token);
    return logits;
}

ChatReply ChatSession::reply(const std::string& message, int max_tokens,
                             const std::function<void(std::string_view)>& on_text) {
    require(max_tokens >= 0, "the reply's token limit must be >= 0 (got " + std::to_string(max_tokens) + ")");
    messages_.push_back({"user", message});
    const std::vector<int> prompt = prompt_tokens(/*add_assistant_start=*/true);
    require(static_cast<int>(prompt.size()) < model_.max_positions(),
            "the conversation is " + std::to_string(prompt.size()) + " tokens, more than the " +
                std::to_string(model_.max_positions()) + " positions of the KV cache leave room for");

    // Keep what the cache holds of this prompt; run the rest. At least the last
    // prompt token runs, for the logits of the reply's first token.
    const auto differs = std::mismatch(cached_.begin(), cached_.end(), prompt.begin(), prompt.end());
    std::size_t keep = static_cast<std::size_t>(differs.first - cached_.begin());
    keep = std::min(keep, prompt.size() - 1);
    cached_.resize(keep);

    ChatReply result;
    result.stats.clock_hz = model_.clock_hz();
    result.prompt_tokens.assign(prompt.begin() + static_cast<std::ptrdiff_t>(keep), prompt.end());
    result.stats.prompt_tokens = static_cast<int>(result.prompt_tokens.size());
    std::span<float> logits;
    for (const int token : result.prompt_tokens) logits = run(token, result.stats);

    int previous = prompt.back();
    while (true) {
        const int next = sampler_.sample(logits);
        if (tokenizer_.is_end_of_generation(next)) {
            result.end = ReplyEnd::EndOfTurn;
            break;
        }
        result.tokens.push_back(next);
        const std::string piece = tokenizer_.decode(previous, next);
        result.text += piece;
        if (on_text && !piece.empty()) on_text(piece);
        previous = next;
        if (max_tokens > 0 && static_cast<int>(result.tokens.size()) >= max_tokens) {
            result.end = ReplyEnd::TokenLimit;
            break;
        }
        if (static_cast<int>(cached_.size()) >= model_.max_positions()) {
            result.end = ReplyEnd::ContextFull;
            break;
        }
        logits = run(next, result.stats);
    }
    messages_.push_back({"assistant", result.text});
    return result;
}

}  // namespace lpu::engine
