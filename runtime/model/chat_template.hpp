#pragma once
// Chat templates: how a conversation becomes a model's prompt. GGUF files carry
// their template as Jinja text (tokenizer.chat_template); like llama.cpp, lpu
// does not run Jinja but recognises the common families from that text
// (llama.cpp's llm_chat_detect_template) and renders them with built-in
// formats: llama-2 (and its system-prompt variants), mistral (v1, v3,
// v3-tekken, v7, v7-tekken), llama-3 and ChatML (Qwen and many others).
//
// A rendered prompt is a list of segments: the template's own text, where the
// text of special tokens (<|im_start|>, [INST] in Mistral v3 vocabularies ...)
// becomes those tokens, and the messages, where it never does, so a message
// cannot forge a turn.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lpu::model {

struct ChatMessage {
    std::string role;     // "system", "user" or "assistant"
    std::string content;
};

struct ChatSegment {
    std::string text;
    bool from_template = true;  // parse special-token text in it (messages: false)
};

class ChatTemplate {
public:
    // By llama.cpp's name: chatml, llama2, llama2-sys, llama2-sys-bos,
    // llama2-sys-strip, mistral-v1, mistral-v3, mistral-v3-tekken, mistral-v7,
    // mistral-v7-tekken, llama3. nullopt for any other.
    static std::optional<ChatTemplate> named(std::string_view name);
    // Recognised from a model's Jinja template (or a name, as llama.cpp accepts
    // both); nullopt when it is none of the families above.
    static std::optional<ChatTemplate> detect(std::string_view jinja);
    // The names named() accepts, for messages and --help.
    static std::string known_names();

    const std::string& name() const { return name_; }

    // The prompt for `messages`; with `add_assistant_start` it ends where the
    // assistant's reply begins (ChatML's "<|im_start|>assistant\n", ...).
    std::vector<ChatSegment> render(std::span<const ChatMessage> messages, bool add_assistant_start) const;

    // The segments' text joined, as a Jinja renderer would print it.
    static std::string text_of(std::span<const ChatSegment> segments);

private:
    enum class Family { ChatMl, Llama2, Mistral, MistralV7, Llama3 };
    struct Variant {
        const char* name;
        Family family;
        bool system_block;      // llama-2: <<SYS>> ... <</SYS>> (else the system text plus a newline)
        bool bos_in_history;    // llama-2: later turns start with <s>
        bool strip_messages;    // llama-2: messages trimmed
        const char* leading_space;   // mistral: " " in v1
        const char* trailing_space;  // mistral: " " except in tekken variants
        bool trim_assistant;    // mistral v3
    };
    static const std::vector<Variant>& variants();
    explicit ChatTemplate(const Variant& variant) : name_(variant.name), variant_(variant) {}

    std::string name_;
    Variant variant_;
};

}  // namespace lpu::model
