// `lpu model chat-prompt`: the prompt a conversation becomes in a model's chat
// template, as text and token ids, without running the model (vocab-only
// files work), to see what `lpu chat` sends and to check it against others.
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/utf8.hpp"
#include "cli/model_tokenize_command.hpp"
#include "runtime/model/chat_template.hpp"
#include "runtime/model/vocabulary_file.hpp"

namespace lpu::cli {
namespace {

struct ChatPromptOptions {
    std::string model_path;
    std::string messages_path;
    std::string chat_template;  // a name; empty: the model's
    bool no_assistant_start = false;
    bool json = false;
};

std::vector<model::ChatMessage> read_messages(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    require(in.good(), "cannot read '" + path + "'");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error("'" + path + "' is not valid JSON: " + e.what());
    }
    require(json.is_array(), "'" + path + "' must hold a JSON array of {\"role\", \"content\"} messages");
    std::vector<model::ChatMessage> messages;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto& m = json[i];
        require(m.is_object() && m.contains("role") && m["role"].is_string() && m.contains("content") &&
                    m["content"].is_string(),
                "'" + path + "': message " + std::to_string(i) + " is not {\"role\": string, \"content\": string}");
        messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    }
    return messages;
}

void chat_prompt(const ChatPromptOptions& options) {
    const model::Tokenizer tokenizer = model::load_tokenizer(options.model_path);
    const auto chat_template = options.chat_template.empty() ? model::ChatTemplate::detect(tokenizer.chat_template())
                                                             : model::ChatTemplate::named(options.chat_template);
    require(chat_template.has_value(),
            options.chat_template.empty()
                ? "the model's chat template is " + std::string(tokenizer.chat_template().empty() ? "missing" : "none of") +
                      " the families lpu knows (" + model::ChatTemplate::known_names() + "); name one with --template"
                : "--template '" + options.chat_template + "' is not one of " + model::ChatTemplate::known_names());
    const auto segments = chat_template->render(read_messages(options.messages_path), !options.no_assistant_start);
    std::vector<model::TextSegment> text;
    for (const auto& segment : segments) text.push_back({segment.text, segment.from_template});
    const std::vector<int> ids = tokenizer.encode(text, /*add_special=*/true);
    const std::string rendered = model::ChatTemplate::text_of(segments);
    if (options.json) {
        const ValidUtf8 valid = valid_utf8(rendered);
        std::cout << nlohmann::json{{"template", chat_template->name()},
                                    {"text", valid.text},
                                    {"text_replaced_invalid_utf8", valid.replaced},
                                    {"tokens", ids}}
                         .dump(2)
                  << "\n";
        return;
    }
    std::cout << "template " << chat_template->name() << "\n" << rendered << "\n";
    std::string line;
    for (const int id : ids) line.append(line.empty() ? "" : " ").append(std::to_string(id));
    std::cout << line << "\n";
}

}  // namespace

void add_model_chat_prompt_command(CLI::App& model_app) {
    auto options = std::make_shared<ChatPromptOptions>();
    auto* app = model_app.add_subcommand("chat-prompt",
                                         "The prompt (text and token ids) a conversation becomes in a chat template");
    app->add_option("-m,--model", options->model_path, "GGUF file with a vocabulary (a whole model or vocab-only)")
        ->required()
        ->check(CLI::ExistingFile);
    app->add_option("--messages", options->messages_path, "JSON array of {\"role\", \"content\"} messages")
        ->required()
        ->check(CLI::ExistingFile);
    app->add_option("--template", options->chat_template,
                    "Template instead of the model's: " + model::ChatTemplate::known_names());
    app->add_flag("--no-assistant-start", options->no_assistant_start,
                  "End after the last message instead of where the assistant's reply begins");
    app->add_flag("--json", options->json, "Print {template, text, tokens} as JSON");
    app->footer(
        "Prints the template's name, the prompt text and its token ids (BOS as the vocabulary adds it).\n"
        "Message contents are never parsed for special tokens; the template's own text is.\n"
        "Example:\n"
        "  echo '[{\"role\":\"user\",\"content\":\"Hi!\"}]' > chat.json\n"
        "  lpu model chat-prompt --model llama3-vocab.gguf --messages chat.json");
    app->callback([options] { chat_prompt(*options); });
}

}  // namespace lpu::cli
