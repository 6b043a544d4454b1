#include "runtime/model/chat_prompt.hpp"

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_file.hpp"
#include "base/utf8.hpp"
#include "runtime/model/token_lists.hpp"

namespace lpu::model {

std::vector<ChatMessage> read_chat_messages(const std::string& path) {
    const nlohmann::json json = read_json_file(path);
    require(json.is_array(), "'" + path + "' must hold a JSON array of {\"role\", \"content\"} messages");
    std::vector<ChatMessage> messages;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto& m = json[i];
        require(m.is_object() && m.contains("role") && m["role"].is_string() && m.contains("content") &&
                    m["content"].is_string(),
                "'" + path + "': message " + std::to_string(i) + " is not {\"role\": string, \"content\": string}");
        messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    }
    return messages;
}

std::vector<int> chat_prompt_tokens(const Tokenizer& tokenizer, const std::optional<ChatTemplate>& chat_template,
                                    std::span<const ChatMessage> messages, bool add_assistant_start) {
    std::vector<ChatSegment> segments;
    if (chat_template) {
        segments = chat_template->render(messages, add_assistant_start);
    } else {
        for (const auto& message : messages) segments.push_back({message.content, false});
    }
    std::vector<TextSegment> text;
    for (const auto& segment : segments) text.push_back({segment.text, segment.from_template});
    std::vector<int> tokens = tokenizer.encode(text, /*add_special=*/true);
    if (tokens.empty()) {
        require(tokenizer.bos_id() >= 0, "the conversation is empty and the vocabulary has no BOS token to start from");
        tokens.push_back(tokenizer.bos_id());
    }
    return tokens;
}

ChatTemplate choose_chat_template(const Tokenizer& tokenizer, const std::string& name) {
    const auto chat_template = name.empty() ? ChatTemplate::detect(tokenizer.chat_template()) : ChatTemplate::named(name);
    require(chat_template.has_value(),
            name.empty() ? "the model's chat template is " +
                               std::string(tokenizer.chat_template().empty() ? "missing" : "none of") +
                               " the families lpu knows (" + ChatTemplate::known_names() + "); name one with --template"
                         : "--template '" + name + "' is not one of " + ChatTemplate::known_names());
    return *chat_template;
}

std::string chat_prompt_report(const Tokenizer& tokenizer, const ChatTemplate& chat_template,
                               const std::vector<ChatMessage>& messages, bool add_assistant_start, bool json) {
    const std::vector<int> ids = chat_prompt_tokens(tokenizer, chat_template, messages, add_assistant_start);
    const std::string rendered = ChatTemplate::text_of(chat_template.render(messages, add_assistant_start));
    if (json) {
        const ValidUtf8 valid = valid_utf8(rendered);
        return nlohmann::json{{"template", chat_template.name()},
                              {"text", valid.text},
                              {"text_replaced_invalid_utf8", valid.replaced},
                              {"tokens", ids}}
                   .dump(2) +
               "\n";
    }
    return "template " + chat_template.name() + "\n" + rendered + "\n" + token_ids_line(ids) + "\n";
}

}  // namespace lpu::model
