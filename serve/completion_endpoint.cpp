#include "serve/completion_endpoint.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>

#include "base/json_text.hpp"
#include "base/utf8.hpp"
#include "runtime/model/chat_prompt.hpp"
#include "serve/api_error.hpp"
#include "serve/openai_response.hpp"
#include "serve/sequence_stream.hpp"

namespace lpu::serve {
namespace {

// OpenAI's default max_tokens for /v1/completions.
constexpr int kDefaultCompletionTokens = 16;
// How long a stream waits for text before it looks again, and the silence
// after which it sends an SSE comment: that write is also how a client that
// went away while its request waited for a slot is noticed.
constexpr std::chrono::milliseconds kStreamPoll{250};
constexpr std::chrono::seconds kKeepAlive{2};
// Retry-After seconds: a full queue drains in a few requests' time; a
// stopping server is gone for longer.
constexpr const char* kRetryQueueFull = "1";
constexpr const char* kRetryStopping = "10";

std::uint64_t random_u64() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

ApiError shutting_down(const std::string& message) {
    return ApiError(503, message, "server_error", "", "server_shutting_down");
}

// A streamed answer: the provider is called again and again on the HTTP
// thread until it ends the stream; the releaser learns whether it got to the end.
struct StreamState {
    InFlight::Token in_flight;
    std::shared_ptr<SequenceStream> stream;
    AnswerHeader header;
    Utf8Stream utf8;  // a character cut between tokens goes out whole
    bool role_sent = false;
    std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();

    bool write(httplib::DataSink& sink, const std::string& text) {
        last_write = std::chrono::steady_clock::now();
        return sink.write(text.data(), text.size());
    }

    // false: the client is gone.
    bool provide(httplib::DataSink& sink) {
        if (header.endpoint == Endpoint::chat && !role_sent) {
            role_sent = true;
            if (!write(sink, sse_event(role_chunk(header)))) return false;
        }
        SequenceStream::News news = stream->take(kStreamPoll);
        std::string text = utf8.append(news.text);
        if (news.outcome) text += utf8.flush();
        if (!text.empty() && !write(sink, sse_event(text_chunk(header, text)))) return false;
        if (news.outcome) {
            const bool cancelled = news.outcome->finish == engine::FinishReason::cancelled;
            const std::string end =
                cancelled ? sse_event(error_json(shutting_down("the server is shutting down: the request was cancelled after " +
                                                                 std::to_string(news.outcome->tokens.size()) + " tokens")))
                          : sse_event(final_chunk(header, *news.outcome)) + std::string(kDoneEvent);
            if (!write(sink, end)) return false;
            sink.done();
            return true;
        }
        if (text.empty() && std::chrono::steady_clock::now() - last_write >= kKeepAlive) {
            return write(sink, ": waiting\n\n");
        }
        return true;
    }
};

}  // namespace

CompletionEndpoint::CompletionEndpoint(engine::BatchScheduler& scheduler, const model::Tokenizer& tokenizer,
                                       std::optional<model::ChatTemplate> chat_template, std::string model_name,
                                       InFlight& in_flight)
    : scheduler_(scheduler),
      tokenizer_(tokenizer),
      template_(std::move(chat_template)),
      model_name_(std::move(model_name)),
      in_flight_(in_flight) {
    char prefix[17];
    std::snprintf(prefix, sizeof prefix, "%016llx", static_cast<unsigned long long>(random_u64()));
    id_prefix_ = prefix;
}

std::string CompletionEndpoint::next_id(Endpoint endpoint) {
    return std::string(endpoint == Endpoint::completions ? "cmpl-" : "chatcmpl-") + id_prefix_ + "-" +
           std::to_string(next_id_++);
}

std::vector<int> CompletionEndpoint::prompt_tokens(const CompletionRequest& request) const {
    if (request.endpoint == Endpoint::chat) {
        return model::chat_prompt_tokens(tokenizer_, template_, request.messages, /*add_assistant_start=*/true);
    }
    if (request.prompt_tokens) {
        for (const int token : *request.prompt_tokens) {
            if (token >= tokenizer_.vocab_size()) {
                throw bad_field("prompt", "token id " + std::to_string(token) + " is outside the vocabulary [0, " +
                                              std::to_string(tokenizer_.vocab_size()) + ")");
            }
        }
        return *request.prompt_tokens;
    }
    std::vector<int> tokens = tokenizer_.encode(request.prompt);
    if (tokens.empty()) {
        // Vocabularies without add_bos still need a token at position 0 (as `lpu run`).
        require(tokenizer_.bos_id() >= 0, "the prompt is empty and the vocabulary has no BOS token to start from");
        tokens.push_back(tokenizer_.bos_id());
    }
    return tokens;
}

engine::SequenceRequest CompletionEndpoint::sequence_request(const CompletionRequest& request) const {
    engine::SequenceRequest sequence;
    sequence.prompt_tokens = prompt_tokens(request);
    const int context = scheduler_.max_positions();
    const int prompt = static_cast<int>(sequence.prompt_tokens.size());
    const char* prompt_field = request.endpoint == Endpoint::chat ? "messages" : "prompt";
    if (prompt >= context) {
        throw ApiError(400,
                       "the prompt is " + std::to_string(prompt) + " tokens; this model's context is " +
                           std::to_string(context) + " tokens, which leaves no room for a completion",
                       "invalid_request_error", prompt_field, "context_length_exceeded");
    }
    if (request.max_tokens && prompt + *request.max_tokens > context) {
        throw ApiError(400,
                       "this model's context is " + std::to_string(context) + " tokens, but " + std::to_string(prompt) +
                           " prompt tokens and max_tokens " + std::to_string(*request.max_tokens) + " ask for " +
                           std::to_string(prompt + *request.max_tokens),
                       "invalid_request_error", "max_tokens", "context_length_exceeded");
    }
    const int room = context - prompt;
    sequence.max_tokens = request.max_tokens.value_or(
        request.endpoint == Endpoint::completions ? std::min(kDefaultCompletionTokens, room) : room);
    sequence.sampling.temperature = request.temperature;
    sequence.sampling.top_p = request.top_p;
    sequence.sampling.top_k = 0;
    // Without a seed each request samples differently, as OpenAI's API does.
    sequence.sampling.seed = request.seed.value_or(random_u64());
    sequence.stop = request.stop;
    sequence.ignore_eos = request.ignore_eos;
    return sequence;
}

void CompletionEndpoint::answer(const httplib::Request& http_request, httplib::Response& response, Endpoint endpoint) {
    const CompletionRequest request = parse_completion_request(http_request.body, endpoint);
    if (!request.model.empty() && request.model != model_name_) {
        throw ApiError(404, "the model '" + request.model + "' does not exist: this server serves '" + model_name_ + "'",
                       "invalid_request_error", "model", "model_not_found");
    }
    engine::SequenceRequest sequence;
    try {
        sequence = sequence_request(request);
    } catch (const ApiError&) {
        throw;
    } catch (const Error& e) {  // the tokenizer's or the sampler's word on the input
        throw ApiError(400, e.what());
    }

    InFlight::Token in_flight = in_flight_.enter();
    auto stream = std::make_shared<SequenceStream>();
    engine::BatchScheduler::Ticket ticket = 0;
    try {
        ticket = scheduler_.submit(std::move(sequence), SequenceStream::callbacks_for(stream));
    } catch (const engine::QueueFull& e) {
        response.set_header("Retry-After", kRetryQueueFull);
        throw ApiError(429, e.what(), "rate_limit_error", "", "queue_full");
    } catch (const engine::SchedulerStopped& e) {
        response.set_header("Retry-After", kRetryStopping);
        throw shutting_down(e.what());
    } catch (const Error& e) {
        throw ApiError(400, e.what());
    }

    const AnswerHeader header{endpoint, next_id(endpoint), static_cast<std::int64_t>(std::time(nullptr)), model_name_};
    if (!request.stream) {
        const engine::SequenceOutcome outcome = stream->wait_for_outcome();
        if (outcome.finish == engine::FinishReason::cancelled) {
            response.set_header("Retry-After", kRetryStopping);
            throw shutting_down("the server is shutting down: the request was cancelled after " +
                                std::to_string(outcome.tokens.size()) + " tokens");
        }
        // Through a provider, so that the answer is in flight until it is written.
        auto body = std::make_shared<std::string>(json_text(completion_body(header, outcome)));
        response.set_content_provider(
            body->size(), "application/json",
            [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                return sink.write(body->data() + offset, length);
            },
            [in_flight](bool) {});
        return;
    }
    auto state = std::make_shared<StreamState>();
    state->in_flight = std::move(in_flight);
    state->stream = stream;
    state->header = header;
    response.set_header("Cache-Control", "no-cache");
    response.set_chunked_content_provider(
        "text/event-stream", [state](std::size_t, httplib::DataSink& sink) { return state->provide(sink); },
        [this, ticket](bool success) {
            if (!success) scheduler_.cancel(ticket);  // the client went away: free its slot at the next step
        });
}

}  // namespace lpu::serve
