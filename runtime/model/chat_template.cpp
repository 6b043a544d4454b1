#include "runtime/model/chat_template.hpp"

#include <cctype>

namespace lpu::model {
namespace {

std::string trim(std::string_view text) {
    std::size_t begin = 0, end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
    return std::string(text.substr(begin, end - begin));
}

// Builds the segments, joining neighbours of the same kind.
class Segments {
public:
    Segments& literal(std::string_view text) { return add(text, true); }
    Segments& message(std::string_view text) { return add(text, false); }
    std::vector<ChatSegment> take() { return std::move(segments_); }

private:
    Segments& add(std::string_view text, bool from_template) {
        if (text.empty()) return *this;
        if (!segments_.empty() && segments_.back().from_template == from_template) {
            segments_.back().text.append(text);
        } else {
            segments_.push_back({std::string(text), from_template});
        }
        return *this;
    }
    std::vector<ChatSegment> segments_;
};

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

const std::vector<ChatTemplate::Variant>& ChatTemplate::variants() {
    //                       name                family             sys-block bos-in  strip  lead  trail trim
    static const std::vector<Variant> table{
        {"chatml",            Family::ChatMl,    false, false, false, "",  "",  false},
        {"llama2",            Family::Llama2,    false, false, false, "",  "",  false},
        {"llama2-sys",        Family::Llama2,    true,  false, false, "",  "",  false},
        {"llama2-sys-bos",    Family::Llama2,    true,  true,  false, "",  "",  false},
        {"llama2-sys-strip",  Family::Llama2,    true,  false, true,  "",  "",  false},
        {"mistral-v1",        Family::Mistral,   false, false, false, " ", " ", false},
        {"mistral-v3",        Family::Mistral,   false, false, false, "",  " ", true},
        {"mistral-v3-tekken", Family::Mistral,   false, false, false, "",  "",  false},
        {"mistral-v7",        Family::MistralV7, false, false, false, "",  " ", false},
        {"mistral-v7-tekken", Family::MistralV7, false, false, false, "",  "",  false},
        {"llama3",            Family::Llama3,    false, false, false, "",  "",  false},
    };
    return table;
}

std::optional<ChatTemplate> ChatTemplate::named(std::string_view name) {
    for (const Variant& variant : variants()) {
        if (variant.name == name) return ChatTemplate(variant);
    }
    return std::nullopt;
}

std::string ChatTemplate::known_names() {
    std::string names;
    for (const Variant& variant : variants()) names.append(names.empty() ? "" : ", ").append(variant.name);
    return names;
}

// The order of the checks is llama.cpp's: ChatML markers win, then Mistral's
// and Llama 2's [INST], then Llama 3's headers.
std::optional<ChatTemplate> ChatTemplate::detect(std::string_view jinja) {
    if (auto by_name = named(jinja)) return by_name;
    const auto has = [&](std::string_view part) { return contains(jinja, part); };
    if (has("<|im_start|>")) {
        // Phi-4 (<|im_sep|>) and SmolVLM use <|im_start|> but are not ChatML.
        if (has("<|im_sep|>") || has("<end_of_utterance>")) return std::nullopt;
        return named("chatml");
    }
    if (jinja.starts_with("mistral") || has("[INST]")) {
        if (has("[SYSTEM_PROMPT]")) return named("mistral-v7");
        if (has("' [INST] ' + system_message") || has("[AVAILABLE_TOOLS]")) {
            if (has(" [INST]")) return named("mistral-v1");
            if (has("\"[INST]\"")) return named("mistral-v3-tekken");
            return named("mistral-v3");
        }
        if (has("content.strip()")) return named("llama2-sys-strip");
        if (has("bos_token + '[INST]")) return named("llama2-sys-bos");
        if (has("<<SYS>>")) return named("llama2-sys");
        return named("llama2");
    }
    if (has("<|start_header_id|>") && has("<|end_header_id|>")) return named("llama3");
    return std::nullopt;
}

std::vector<ChatSegment> ChatTemplate::render(std::span<const ChatMessage> messages, bool add_assistant_start) const {
    Segments out;
    const Variant& v = variant_;
    switch (v.family) {
        case Family::ChatMl:
            for (const ChatMessage& m : messages) {
                out.literal("<|im_start|>" + m.role + "\n").message(m.content).literal("<|im_end|>\n");
            }
            if (add_assistant_start) out.literal("<|im_start|>assistant\n");
            break;
        case Family::Llama3:
            for (const ChatMessage& m : messages) {
                out.literal("<|start_header_id|>" + m.role + "<|end_header_id|>\n\n")
                    .message(trim(m.content))
                    .literal("<|eot_id|>");
            }
            if (add_assistant_start) out.literal("<|start_header_id|>assistant<|end_header_id|>\n\n");
            break;
        case Family::Llama2: {
            // The first turn's [INST] follows the BOS the tokenizer adds; an
            // assistant message closes its turn with </s>.
            bool inside_turn = true;
            out.literal("[INST] ");
            for (const ChatMessage& m : messages) {
                const std::string content = v.strip_messages ? trim(m.content) : m.content;
                if (!inside_turn) {
                    inside_turn = true;
                    out.literal(v.bos_in_history ? "<s>[INST] " : "[INST] ");
                }
                if (m.role == "system") {
                    if (v.system_block) {
                        out.literal("<<SYS>>\n").message(content).literal("\n<</SYS>>\n\n");
                    } else {
                        out.message(content).literal("\n");
                    }
                } else if (m.role == "user") {
                    out.message(content).literal(" [/INST]");
                } else {
                    out.message(content).literal("</s>");
                    inside_turn = false;
                }
            }
            break;
        }
        case Family::Mistral: {
            bool inside_turn = false;
            for (const ChatMessage& m : messages) {
                if (!inside_turn) {
                    out.literal(std::string(v.leading_space) + "[INST]" + v.trailing_space);
                    inside_turn = true;
                }
                if (m.role == "system") {
                    out.message(m.content).literal("\n\n");
                } else if (m.role == "user") {
                    out.message(m.content).literal(std::string(v.leading_space) + "[/INST]");
                } else {
                    out.literal(v.trailing_space).message(v.trim_assistant ? trim(m.content) : m.content).literal("</s>");
                    inside_turn = false;
                }
            }
            break;
        }
        case Family::MistralV7:
            for (const ChatMessage& m : messages) {
                if (m.role == "system") {
                    out.literal(std::string("[SYSTEM_PROMPT]") + v.trailing_space).message(m.content).literal("[/SYSTEM_PROMPT]");
                } else if (m.role == "user") {
                    out.literal(std::string("[INST]") + v.trailing_space).message(m.content).literal("[/INST]");
                } else {
                    out.literal(v.trailing_space).message(m.content).literal("</s>");
                }
            }
            break;
    }
    return out.take();
}

std::string ChatTemplate::text_of(std::span<const ChatSegment> segments) {
    std::string text;
    for (const ChatSegment& segment : segments) text += segment.text;
    return text;
}

}  // namespace lpu::model
