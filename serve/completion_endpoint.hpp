#pragma once
// POST /v1/completions and POST /v1/chat/completions: the checked request
// (openai_request.hpp) becomes a scheduler request, and its answer is sent
// whole or streamed as server-sent events (openai_response.hpp).
//
// Limits are the model's: a prompt that leaves no position for a completion,
// or max_tokens past the end of the context (prompt + max_tokens > context),
// is a 400 (code context_length_exceeded), as OpenAI answers; without
// max_tokens a completion gets 16 tokens (OpenAI's default) and a chat reply
// the rest of the context, each cut where the context ends. A full waiting
// queue is a 429, a server that is stopping a 503, both with Retry-After. A
// streamed request whose client goes away is cancelled at the next step (its
// slot freed); one that is not streamed runs to its end.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include <httplib.h>

#include "runtime/engine/batch_scheduler.hpp"
#include "runtime/model/chat_template.hpp"
#include "runtime/model/tokenizer.hpp"
#include "serve/in_flight.hpp"
#include "serve/openai_request.hpp"

namespace lpu::serve {

class CompletionEndpoint {
public:
    // `chat_template` nullopt: chat messages go to the model as raw text.
    // Each answer is in `in_flight` until it has been written.
    CompletionEndpoint(engine::BatchScheduler& scheduler, const model::Tokenizer& tokenizer,
                       std::optional<model::ChatTemplate> chat_template, std::string model_name, InFlight& in_flight);

    // Answers `request`; throws ApiError for a request it refuses.
    void answer(const httplib::Request& request, httplib::Response& response, Endpoint endpoint);

private:
    engine::SequenceRequest sequence_request(const CompletionRequest& request) const;
    std::vector<int> prompt_tokens(const CompletionRequest& request) const;
    std::string next_id(Endpoint endpoint);

    engine::BatchScheduler& scheduler_;
    const model::Tokenizer& tokenizer_;
    std::optional<model::ChatTemplate> template_;
    std::string model_name_;
    InFlight& in_flight_;
    std::string id_prefix_;  // random per process, so ids differ across restarts
    std::atomic<std::uint64_t> next_id_{1};
};

}  // namespace lpu::serve
