#include "serve/openai_request.hpp"

#include <algorithm>
#include <climits>

#include <nlohmann/json.hpp>

#include "serve/api_error.hpp"

namespace lpu::serve {
namespace {

using nlohmann::json;

// OpenAI's own limit on stop sequences.
constexpr std::size_t kMaxStops = 4;

const json* field(const json& body, const char* name) {
    const auto found = body.find(name);
    return found == body.end() || found->is_null() ? nullptr : &*found;
}

double number(const json& value, const char* name) {
    if (!value.is_number()) throw bad_field(name, std::string("'") + name + "' must be a number");
    return value.get<double>();
}

int positive_integer(const json& value, const char* name) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > INT_MAX) {
        throw bad_field(name, std::string("'") + name + "' must be an integer >= 1");
    }
    return static_cast<int>(value.get<std::int64_t>());
}

bool boolean(const json& value, const char* name) {
    if (!value.is_boolean()) throw bad_field(name, std::string("'") + name + "' must be true or false");
    return value.get<bool>();
}

std::vector<std::string> stop_strings(const json& value) {
    if (value.is_string()) return {value.get<std::string>()};
    const bool strings = value.is_array() && std::all_of(value.begin(), value.end(), [](const json& s) { return s.is_string(); });
    if (!strings) throw bad_field("stop", "'stop' must be a string or an array of strings");
    if (value.size() > kMaxStops) {
        throw bad_field("stop", "'stop' holds " + std::to_string(value.size()) + " strings, more than " +
                                    std::to_string(kMaxStops));
    }
    return value.get<std::vector<std::string>>();
}

// A string, a list of token ids, or a list of one string (a list of several
// prompts would need n answers).
void read_prompt(const json& value, CompletionRequest& request) {
    if (value.is_string()) {
        request.prompt = value.get<std::string>();
        return;
    }
    if (value.is_array() && value.size() == 1 && value[0].is_string()) {
        request.prompt = value[0].get<std::string>();
        return;
    }
    const bool tokens = value.is_array() && !value.empty() &&
                        std::all_of(value.begin(), value.end(), [](const json& t) { return t.is_number_integer(); });
    if (!tokens) {
        throw bad_field("prompt", "'prompt' must be a string, a list of one string or a non-empty list of token ids");
    }
    std::vector<int> ids;
    for (const json& token : value) {
        const auto id = token.get<std::int64_t>();
        if (id < 0 || id > INT_MAX) throw bad_field("prompt", "token id " + std::to_string(id) + " is negative or too large");
        ids.push_back(static_cast<int>(id));
    }
    request.prompt_tokens = std::move(ids);
}

// A string, or a list of parts of which only {"type": "text", "text": ...} are understood.
std::string message_content(const json& content, std::size_t index) {
    const std::string where = "messages[" + std::to_string(index) + "].content";
    if (content.is_string()) return content.get<std::string>();
    if (!content.is_array()) throw bad_field(where, "'" + where + "' must be a string or a list of text parts");
    std::string text;
    for (const json& part : content) {
        const bool text_part = part.is_object() && part.value("type", json()) == "text" && part.contains("text") &&
                               part["text"].is_string();
        if (!text_part) throw bad_field(where, "'" + where + "' may hold only {\"type\": \"text\", \"text\": string} parts");
        text += part["text"].get<std::string>();
    }
    return text;
}

std::vector<model::ChatMessage> read_messages(const json& value) {
    if (!value.is_array() || value.empty()) throw bad_field("messages", "'messages' must be a non-empty list of messages");
    std::vector<model::ChatMessage> messages;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const json& message = value[i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        if (!message.is_object()) throw bad_field(where, "'" + where + "' must be an object with 'role' and 'content'");
        const json* role = field(message, "role");
        const json* content = field(message, "content");
        if (role == nullptr || !role->is_string()) throw bad_field(where + ".role", "'" + where + ".role' must be a string");
        std::string name = role->get<std::string>();
        if (name == "developer") name = "system";
        if (name != "system" && name != "user" && name != "assistant") {
            throw bad_field(where + ".role", "'" + where + ".role' is '" + role->get<std::string>() +
                                                 "': lpu takes system, developer, user and assistant messages");
        }
        if (content == nullptr) throw bad_field(where + ".content", "'" + where + ".content' is missing");
        messages.push_back({name, message_content(*content, i)});
    }
    return messages;
}

}  // namespace

CompletionRequest parse_completion_request(std::string_view body, Endpoint endpoint) {
    json parsed;
    try {
        parsed = json::parse(body);
    } catch (const json::parse_error& e) {
        throw ApiError(400, "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
    }
    if (!parsed.is_object()) throw ApiError(400, "the body must be a JSON object");

    CompletionRequest request;
    request.endpoint = endpoint;
    if (const json* model = field(parsed, "model")) {
        if (!model->is_string()) throw bad_field("model", "'model' must be a string");
        request.model = model->get<std::string>();
    }
    if (endpoint == Endpoint::completions) {
        const json* prompt = field(parsed, "prompt");
        if (prompt == nullptr) throw bad_field("prompt", "'prompt' is missing");
        read_prompt(*prompt, request);
    } else {
        const json* messages = field(parsed, "messages");
        if (messages == nullptr) throw bad_field("messages", "'messages' is missing");
        request.messages = read_messages(*messages);
    }
    if (const json* n = field(parsed, "n")) {
        if (!n->is_number_integer() || n->get<std::int64_t>() != 1) {
            throw bad_field("n", "'n' must be 1: lpu answers each request with one choice");
        }
    }
    const char* max_name = endpoint == Endpoint::chat && field(parsed, "max_completion_tokens") != nullptr
                               ? "max_completion_tokens"
                               : "max_tokens";
    if (const json* max_tokens = field(parsed, max_name)) request.max_tokens = positive_integer(*max_tokens, max_name);
    if (const json* temperature = field(parsed, "temperature")) {
        const double value = number(*temperature, "temperature");
        if (value < 0.0 || value > 2.0) throw bad_field("temperature", "'temperature' must be in [0, 2]");
        request.temperature = static_cast<float>(value);
    }
    if (const json* top_p = field(parsed, "top_p")) {
        const double value = number(*top_p, "top_p");
        if (value <= 0.0 || value > 1.0) throw bad_field("top_p", "'top_p' must be in (0, 1]");
        request.top_p = static_cast<float>(value);
    }
    if (const json* seed = field(parsed, "seed")) {
        if (!seed->is_number_integer()) throw bad_field("seed", "'seed' must be an integer");
        request.seed = seed->is_number_unsigned() ? seed->get<std::uint64_t>()
                                                  : static_cast<std::uint64_t>(seed->get<std::int64_t>());
    }
    if (const json* stop = field(parsed, "stop")) request.stop = stop_strings(*stop);
    if (const json* stream = field(parsed, "stream")) request.stream = boolean(*stream, "stream");
    if (const json* ignore_eos = field(parsed, "ignore_eos")) request.ignore_eos = boolean(*ignore_eos, "ignore_eos");
    return request;
}

}  // namespace lpu::serve
