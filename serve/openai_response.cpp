#include "serve/openai_response.hpp"

#include "base/json_text.hpp"

namespace lpu::serve {
namespace {

using nlohmann::json;

json header_fields(const AnswerHeader& header, bool chunk) {
    const char* object = header.endpoint == Endpoint::completions ? "text_completion"
                         : chunk                                   ? "chat.completion.chunk"
                                                                   : "chat.completion";
    return {{"id", header.id}, {"object", object}, {"created", header.created}, {"model", header.model}};
}

// One choice; `content` is the text (completions), the message or the delta (chat).
json choice(const AnswerHeader& header, json content, json finish_reason, bool chunk) {
    json result = {{"index", 0}};
    if (header.endpoint == Endpoint::completions) {
        result["text"] = std::move(content);
    } else {
        result[chunk ? "delta" : "message"] = std::move(content);
    }
    result["logprobs"] = nullptr;
    result["finish_reason"] = std::move(finish_reason);
    return result;
}

json text_content(const AnswerHeader& header, std::string_view text, bool chunk) {
    if (header.endpoint == Endpoint::completions) return std::string(text);
    json message = {{"content", std::string(text)}};
    if (!chunk) message["role"] = "assistant";
    return message;
}

json with_choice(const AnswerHeader& header, json one_choice, bool chunk) {
    json body = header_fields(header, chunk);
    body["choices"] = json::array({std::move(one_choice)});
    return body;
}

}  // namespace

json usage_of(const engine::SequenceOutcome& outcome) {
    const auto completion = static_cast<int>(outcome.tokens.size());
    return {{"prompt_tokens", outcome.prompt_tokens},
            {"completion_tokens", completion},
            {"total_tokens", outcome.prompt_tokens + completion}};
}

json emulated_lpu_of(const engine::SequenceOutcome& outcome) {
    const auto& emulated = outcome.emulated;
    return {{"queue_time", emulated.queue_seconds},
            {"prompt_time", emulated.prompt_seconds},
            {"completion_time", emulated.completion_seconds},
            {"total_time", emulated.prompt_seconds + emulated.completion_seconds},
            {"host_time", outcome.host_seconds}};
}

json completion_body(const AnswerHeader& header, const engine::SequenceOutcome& outcome) {
    json body = with_choice(
        header, choice(header, text_content(header, outcome.text, false), engine::finish_reason_name(outcome.finish), false),
        false);
    body["usage"] = usage_of(outcome);
    body["x_emulated_lpu"] = emulated_lpu_of(outcome);
    return body;
}

json role_chunk(const AnswerHeader& header) {
    return with_choice(header, choice(header, {{"role", "assistant"}, {"content", ""}}, nullptr, true), true);
}

json text_chunk(const AnswerHeader& header, std::string_view text) {
    return with_choice(header, choice(header, text_content(header, text, true), nullptr, true), true);
}

json final_chunk(const AnswerHeader& header, const engine::SequenceOutcome& outcome) {
    const json empty = header.endpoint == Endpoint::completions ? json("") : json::object();
    json body = with_choice(header, choice(header, empty, engine::finish_reason_name(outcome.finish), true), true);
    body["usage"] = usage_of(outcome);
    body["x_emulated_lpu"] = emulated_lpu_of(outcome);
    return body;
}

std::string sse_event(const json& body) { return "data: " + json_text(body) + "\n\n"; }

}  // namespace lpu::serve
