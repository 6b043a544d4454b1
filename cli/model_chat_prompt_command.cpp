// `lpu model chat-prompt`: the prompt a conversation becomes in a model's chat
// template, as text and token ids, without running the model (vocab-only
// files work), to see what `lpu chat` sends and to check it against others.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/model_tokenize_command.hpp"
#include "runtime/model/chat_prompt.hpp"
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

void chat_prompt(const ChatPromptOptions& options) {
    const model::Tokenizer tokenizer = model::load_tokenizer(options.model_path);
    const model::ChatTemplate chat_template = model::choose_chat_template(tokenizer, options.chat_template);
    std::cout << model::chat_prompt_report(tokenizer, chat_template, model::read_chat_messages(options.messages_path),
                                           !options.no_assistant_start, options.json);
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
