#pragma once
// A conversation with a model: each user message is added to the history, the
// whole conversation is rendered by the chat template and tokenized, and only
// the tokens past what the KV cache already holds are run (the common prefix
// is kept, so a turn costs its new tokens). The reply is sampled until an
// end-of-generation token (end of turn, EOS), the reply's token limit or the
// end of the context.
//
// Without a template (the model has none, or one lpu does not recognise) the
// conversation is raw text: the messages one after another, nothing around them.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine/generator.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/engine/sampler.hpp"
#include "runtime/model/chat_template.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::engine {

enum class ReplyEnd { EndOfTurn, TokenLimit, ContextFull };
const char* reply_end_name(ReplyEnd end);  // "end_of_turn", "token_limit", "context_full"

struct ChatReply {
    std::vector<int> prompt_tokens;  // the turn's new prompt tokens (what was run before sampling)
    std::vector<int> tokens;         // the reply, without the token that ended it
    std::string text;                // their bytes (may end inside a UTF-8 character at a limit)
    ReplyEnd end = ReplyEnd::EndOfTurn;
    GenerationStats stats;           // of this turn
};

class ChatSession {
public:
    // `chat_template` nullopt: raw text. A non-empty `system` starts the
    // conversation as a system message.
    ChatSession(LanguageModel& model, const model::Tokenizer& tokenizer,
                std::optional<model::ChatTemplate> chat_template, const SamplingOptions& sampling,
                const std::string& system = "");

    // Adds the user's message, generates the reply (at most `max_tokens`,
    // 0 = up to the context's end) and adds it to the history. `on_text`
    // receives the reply's bytes as they come.
    ChatReply reply(const std::string& message, int max_tokens,
                    const std::function<void(std::string_view)>& on_text = {});

    // The prompt tokens of the conversation so far plus `add_assistant_start`.
    std::vector<int> prompt_tokens(bool add_assistant_start) const;
    const std::vector<model::ChatMessage>& messages() const { return messages_; }
    int positions_used() const { return static_cast<int>(cached_.size()); }

private:
    // Runs `token` at the next position; returns its logits.
    std::span<float> run(int token, GenerationStats& stats);

    LanguageModel& model_;
    const model::Tokenizer& tokenizer_;
    std::optional<model::ChatTemplate> template_;
    Sampler sampler_;
    std::vector<model::ChatMessage> messages_;
    std::vector<int> cached_;  // the tokens whose keys and values the cache holds, position by position
};

}  // namespace lpu::engine
