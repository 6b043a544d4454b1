#pragma once
// Answer bodies in OpenAI's shapes: a whole completion (text_completion,
// chat.completion) and the chunks of a streamed one (server-sent events), each
// ending with `usage` and, beside it, lpu's extension object `x_emulated_lpu`:
// the emulated system's queue, prompt and completion seconds for this request
// (GroqCloud's names queue_time, prompt_time, completion_time, total_time),
// from the plan's cycles of the steps that actually ran, and the host's time.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/engine/batch_scheduler.hpp"
#include "serve/openai_request.hpp"

namespace lpu::serve {

// What every body (and every chunk) of one answer repeats.
struct AnswerHeader {
    Endpoint endpoint = Endpoint::completions;
    std::string id;  // "cmpl-..." or "chatcmpl-..."
    std::int64_t created = 0;  // Unix seconds
    std::string model;
};

nlohmann::json usage_of(const engine::SequenceOutcome& outcome);
nlohmann::json emulated_lpu_of(const engine::SequenceOutcome& outcome);

// The answer to a request without `stream` (finish: stop or length).
nlohmann::json completion_body(const AnswerHeader& header, const engine::SequenceOutcome& outcome);

// Chunks of a streamed answer: chat's first one gives the role; each piece of
// text; the last one the finish reason, usage and x_emulated_lpu.
nlohmann::json role_chunk(const AnswerHeader& header);
nlohmann::json text_chunk(const AnswerHeader& header, std::string_view text);
nlohmann::json final_chunk(const AnswerHeader& header, const engine::SequenceOutcome& outcome);

// One server-sent event: "data: <json>\n\n"; the stream ends with kDoneEvent.
std::string sse_event(const nlohmann::json& body);
inline constexpr std::string_view kDoneEvent = "data: [DONE]\n\n";

}  // namespace lpu::serve
