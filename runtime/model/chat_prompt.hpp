#pragma once
// The prompt a conversation becomes in a chat template, as token ids (what
// `lpu chat` and `lpu serve` run), and `lpu model chat-prompt`'s report of it
// for a JSON file of messages, without the model's weights.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/model/chat_template.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::model {

// A JSON array of {"role": string, "content": string}. Throws lpu::Error naming
// the file and the message.
std::vector<ChatMessage> read_chat_messages(const std::string& path);

// The tokens of `messages` rendered in `chat_template` (nullopt: raw text, the
// messages' contents one after another with nothing around them), BOS first
// when the vocabulary adds it; with `add_assistant_start` they end where the
// assistant's reply begins. Never empty: an empty conversation is BOS alone
// (lpu::Error when the vocabulary has no BOS).
std::vector<int> chat_prompt_tokens(const Tokenizer& tokenizer, const std::optional<ChatTemplate>& chat_template,
                                    std::span<const ChatMessage> messages, bool add_assistant_start);

// The template `name` (empty: the one the tokenizer's chat template is).
// Throws lpu::Error when there is none, naming the families lpu knows.
ChatTemplate choose_chat_template(const Tokenizer& tokenizer, const std::string& name);

// "template NAME", the rendered text and its ids (one line), or with `json`
// {template, text, text_replaced_invalid_utf8, tokens}.
std::string chat_prompt_report(const Tokenizer& tokenizer, const ChatTemplate& chat_template,
                               const std::vector<ChatMessage>& messages, bool add_assistant_start, bool json);

}  // namespace lpu::model
