// `lpu chat`: a conversation with a model on emulated LPUs, in the model's own
// chat template (runtime/model/chat_template.hpp), interactive or one turn.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "base/utf8.hpp"
#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "cli/system_flags.hpp"
#include "launch/inprocess/in_process_model.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/engine/chat_session.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/vocabulary_file.hpp"

namespace lpu::cli {
namespace {

struct ChatOptions {
    std::string model_path;
    std::string tokenizer_path;
    std::string prompt;     // one turn, then exit
    std::string system;
    std::string chat_template;  // a template name, or "raw"; empty: the model's
    int max_tokens = 512;
    bool json = false;
    launch::SystemOptions system_options;
    engine::SamplingOptions sampling;
};

// The template to use, and a line telling the user when it is not the model's own.
std::optional<model::ChatTemplate> choose_template(const ChatOptions& options, const model::Tokenizer& tokenizer) {
    if (options.chat_template == "raw") return std::nullopt;
    if (!options.chat_template.empty()) {
        auto named = model::ChatTemplate::named(options.chat_template);
        require(named.has_value(), "--template '" + options.chat_template + "' is not one of raw, " +
                                       model::ChatTemplate::known_names());
        return named;
    }
    const std::string& jinja = tokenizer.chat_template();
    auto detected = model::ChatTemplate::detect(jinja);
    if (!detected) {
        std::fprintf(stderr,
                     "lpu chat: %s; your messages go to the model as raw text, with nothing around them "
                     "(--template NAME picks one of %s)\n",
                     jinja.empty() ? "the model has no chat template (tokenizer.chat_template)"
                                   : "the model's chat template is none of the families lpu knows",
                     model::ChatTemplate::known_names().c_str());
    }
    return detected;
}

void print_stats(const engine::ChatReply& reply, const std::string& grid) {
    const auto& s = reply.stats;
    std::fprintf(stderr, "lpu chat: %zu tokens (%s) after %d new prompt tokens | host %.1f tokens/s | emulated %.2f us/token on %s\n",
                 reply.tokens.size(), engine::reply_end_name(reply.end), s.prompt_tokens, s.host_tokens_per_second(),
                 s.emulated_us_per_token(), grid.c_str());
}

void print_json(const engine::ChatReply& reply, const std::optional<model::ChatTemplate>& chat_template,
                const std::string& grid) {
    const ValidUtf8 text = valid_utf8(reply.text);
    const nlohmann::json out = {
        {"template", chat_template ? nlohmann::json(chat_template->name()) : nlohmann::json(nullptr)},
        {"prompt_tokens", reply.prompt_tokens},
        {"tokens", reply.tokens},
        {"text", text.text},
        {"text_replaced_invalid_utf8", text.replaced},
        {"end", engine::reply_end_name(reply.end)},
        {"stats",
         {{"positions", reply.stats.positions},
          {"host_seconds", reply.stats.host_seconds},
          {"emulated_cycles", reply.stats.emulated_cycles},
          {"emulated_us_per_token", reply.stats.emulated_us_per_token()},
          {"grid", grid}}},
    };
    std::cout << json_text(out, 2) << "\n";
}

void write_text(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

void chat(const ChatOptions& options) {
    const auto file = model::open_model(options.model_path);
    const model::Tokenizer tokenizer = model::make_tokenizer(
        model::vocabulary_of(*file, options.model_path, options.tokenizer_path), options.model_path);
    const auto chat_template = choose_template(options, tokenizer);
    launch::inprocess::InProcessModel language_model = launch::inprocess::in_process_model(*file, options.system_options);
    engine::ChatSession session(*language_model.model, tokenizer, chat_template, options.sampling, options.system);

    if (!options.prompt.empty()) {
        const auto reply = session.reply(options.prompt, options.max_tokens, options.json ? nullptr : write_text);
        if (options.json) {
            print_json(reply, chat_template, language_model.grid);
        } else {
            std::fputc('\n', stdout);
        }
        print_stats(reply, language_model.grid);
        return;
    }
    const bool terminal = ::isatty(STDIN_FILENO) != 0;
    std::fprintf(stderr, "lpu chat: %s on %s, template %s; one message per line, Ctrl-D ends\n",
                 file->config().name.c_str(), language_model.grid.c_str(),
                 chat_template ? chat_template->name().c_str() : "none (raw text)");
    std::string line;
    while (true) {
        if (terminal) std::fputs("> ", stderr);
        if (!std::getline(std::cin, line)) break;
        if (line.empty()) continue;
        const auto reply = session.reply(line, options.max_tokens, write_text);
        std::fputc('\n', stdout);
        std::fflush(stdout);
        print_stats(reply, language_model.grid);
        if (reply.end == engine::ReplyEnd::ContextFull) {
            std::fprintf(stderr, "lpu chat: the context's %d positions are used up; start again for more\n",
                         language_model.model->max_positions());
            break;
        }
    }
}

}  // namespace

void add_chat_command(CLI::App& app) {
    auto options = std::make_shared<ChatOptions>();
    options->sampling.temperature = 0.7f;
    auto* chat_app = app.add_subcommand("chat", "Chat with a model on emulated LPUs, in the model's chat template");
    chat_app->add_option("-m,--model", options->model_path, "Model file: GGUF or llama2.c checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    chat_app->add_option("--tokenizer", options->tokenizer_path, "llama2.c tokenizer.bin (for llama2.c checkpoints)")
        ->check(CLI::ExistingFile);
    chat_app->add_option("-p,--prompt", options->prompt, "One message: print the reply and exit");
    chat_app->add_option("--system", options->system, "A system message to start the conversation with");
    chat_app->add_option("--template", options->chat_template,
                         "Chat template instead of the model's: raw (no template) or one of " +
                             model::ChatTemplate::known_names());
    chat_app->add_option("--max-tokens", options->max_tokens, "Tokens per reply at most (0 = up to the context's end)")
        ->capture_default_str()
        ->check(non_negative_number);
    chat_app->add_option("-t,--temperature", options->sampling.temperature, "0 = greedy")->capture_default_str();
    chat_app->add_option("--top-p", options->sampling.top_p, "Nucleus sampling mass, in (0, 1]")->capture_default_str();
    chat_app->add_option("--top-k", options->sampling.top_k, "Sample among the k most likely (0 = all)")
        ->capture_default_str();
    chat_app->add_option("-s,--seed", options->sampling.seed, "Sampling seed")->capture_default_str();
    chat_app->add_flag("--json", options->json, "With --prompt: print the reply as one JSON object");
    add_chip_options(*chat_app, options->system_options);
    add_partition_options(*chat_app, options->system_options);
    chat_app->footer(
        "The template comes from the model's tokenizer.chat_template, recognised as llama.cpp recognises its\n"
        "built-in ones (llama-2, mistral, llama-3, ChatML); a reply ends at the model's end-of-turn token.\n"
        "A template lpu does not know is reported, and messages then go as raw text.\n"
        "Examples:\n"
        "  lpu chat --model qwen2.5-0.5b-instruct-q8_0.gguf\n"
        "  lpu chat --model llama-3.2-1b-instruct.gguf --system \"Answer briefly.\" --prompt \"Why is the sky blue?\"\n"
        "  lpu chat --model model.gguf --tp 2 --pp 2 --temperature 0 --prompt hello --json");
    chat_app->callback([options, chat_app] {
        engine::validate(options->sampling);
        // An empty --prompt (e.g. from an unset shell variable) must not turn into an interactive session.
        require(chat_app->count("--prompt") == 0 || !options->prompt.empty(),
                "--prompt is empty: give a message, or leave --prompt out to chat interactively");
        require(!options->json || !options->prompt.empty(), "--json needs --prompt (one turn)");
        chat(*options);
    });
}

}  // namespace lpu::cli
