#pragma once
// `lpu model chat-prompt`: the prompt a conversation (a JSON file of messages)
// becomes in a chat template, as text and token ids, without the model's weights.
#include <string>
#include <vector>

#include "runtime/model/chat_template.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::model {

// A JSON array of {"role": string, "content": string}. Throws lpu::Error naming
// the file and the message.
std::vector<ChatMessage> read_chat_messages(const std::string& path);

// The template `name` (empty: the one the tokenizer's chat template is).
// Throws lpu::Error when there is none, naming the families lpu knows.
ChatTemplate choose_chat_template(const Tokenizer& tokenizer, const std::string& name);

// "template NAME", the rendered text and its ids (one line), or with `json`
// {template, text, text_replaced_invalid_utf8, tokens}.
std::string chat_prompt_report(const Tokenizer& tokenizer, const ChatTemplate& chat_template,
                               const std::vector<ChatMessage>& messages, bool add_assistant_start, bool json);

}  // namespace lpu::model
