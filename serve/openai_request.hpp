#pragma once
// The body of POST /v1/completions and /v1/chat/completions, read and checked
// field by field: a malformed body, a field of the wrong type or out of range
// is an ApiError (400) naming the field, never an exception of the JSON
// library. Fields lpu does not use (user, frequency_penalty, ...) are ignored,
// as OpenAI-compatible servers do, so that clients' defaults pass.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/chat_template.hpp"

namespace lpu::serve {

enum class Endpoint { completions, chat };

struct CompletionRequest {
    Endpoint endpoint = Endpoint::completions;
    std::string model;  // empty when not given
    // /v1/completions: a text, or token ids when the prompt is a list of integers.
    std::string prompt;
    std::optional<std::vector<int>> prompt_tokens;
    // /v1/chat/completions: the conversation ("developer" is read as "system").
    std::vector<model::ChatMessage> messages;
    std::optional<int> max_tokens;  // max_tokens, or chat's max_completion_tokens; >= 1
    float temperature = 1.0f;       // [0, 2], 0 = greedy
    float top_p = 1.0f;             // (0, 1]
    std::optional<std::uint64_t> seed;
    std::vector<std::string> stop;  // at most 4
    bool stream = false;
    // Not OpenAI's: generate through end-of-sequence tokens up to max_tokens
    // (vLLM's and llama.cpp's servers take it too; for fixed-length timing runs).
    bool ignore_eos = false;
};

// Throws ApiError (400) naming the first field at fault.
CompletionRequest parse_completion_request(std::string_view body, Endpoint endpoint);

}  // namespace lpu::serve
